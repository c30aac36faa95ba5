package dev.llcuda.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Test consumer: records tokens (and log-probabilities), stops on one token id, remembers
 * how it finished.
 */
final class RecordingConsumer implements TokenConsumer {

	final List<Integer> tokens = new ArrayList<>();

	final List<TokenLogprobs> logprobs = new ArrayList<>();

	final int stopToken;

	FinishReason finishReason;

	int finishCalls;

	RecordingConsumer(int stopToken) {
		this.stopToken = stopToken;
	}

	RecordingConsumer() {
		this(-1);
	}

	@Override
	public void acceptLogprobs(TokenLogprobs next) {
		logprobs.add(next);
	}

	@Override
	public boolean accept(int token, boolean last) {
		tokens.add(token);
		return token == stopToken;
	}

	@Override
	public void finish(FinishReason reason, Throwable error) {
		finishReason = reason;
		finishCalls++;
	}

}
