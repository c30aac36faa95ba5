package dev.llcuda.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Turns one request's sampled tokens into its output: detokenizes them, ends on an
 * end-of-generation id or a stop string (text from the stop string on is never emitted; a
 * possible partial match is held back until it is decided), streams the pieces, records
 * latencies and completes the result. Runs on the engine thread.
 */
final class OutputAssembler implements TokenConsumer {

	private final int promptTokens;

	private final Set<Integer> endOfGeneration;

	private final IncrementalDecoder decoder;

	private final StopStrings stops;

	private final PieceStream stream;

	private final CompletableFuture<GenerationResult> result;

	private final Executor delivery;

	private final EngineListener listener;

	private final long submittedNanos;

	private final StringBuilder text = new StringBuilder();

	private final StringBuilder pending = new StringBuilder();

	private final List<TokenLogprobs> logprobs = new ArrayList<>();

	private @Nullable TokenLogprobs nextLogprobs;

	private int generated;

	private long lastTokenNanos;

	OutputAssembler(int promptTokens, Set<Integer> endOfGeneration, IncrementalDecoder decoder, StopStrings stops,
			PieceStream stream, CompletableFuture<GenerationResult> result, Executor delivery, EngineListener listener,
			long submittedNanos) {
		this.promptTokens = promptTokens;
		this.endOfGeneration = endOfGeneration;
		this.decoder = decoder;
		this.stops = stops;
		this.stream = stream;
		this.result = result;
		this.delivery = delivery;
		this.listener = listener;
		this.submittedNanos = submittedNanos;
	}

	@Override
	public void acceptLogprobs(TokenLogprobs next) {
		nextLogprobs = next;
	}

	@Override
	public boolean accept(int token, boolean last) {
		recordLatency();
		generated++;
		TokenLogprobs tokenLogprobs = nextLogprobs;
		nextLogprobs = null;
		if (endOfGeneration.contains(token)) {
			return true;
		}
		pending.append(decoder.push(token));
		if (last) {
			pending.append(decoder.flush());
		}
		int match = stops.firstMatch(pending);
		if (match >= 0) {
			emit(pending.substring(0, match), token, tokenLogprobs);
			pending.setLength(0);
			return true;
		}
		int ready = pending.length() - (last ? 0 : stops.heldBackLength(pending));
		String piece = pending.substring(0, ready);
		pending.delete(0, ready);
		emit(piece, token, tokenLogprobs);
		return false;
	}

	@Override
	public void finish(FinishReason reason, @Nullable Throwable error) {
		GenerationResult outcome = new GenerationResult(text.toString(), promptTokens, generated, reason,
				Optional.ofNullable(error), logprobs);
		stream.end(reason == FinishReason.ERROR ? error : null);
		listener.finished(outcome);
		delivery.execute(() -> result.complete(outcome));
	}

	private void emit(String piece, int token, @Nullable TokenLogprobs tokenLogprobs) {
		text.append(piece);
		if (tokenLogprobs != null) {
			logprobs.add(tokenLogprobs);
		}
		stream.emit(new TokenPiece(piece, token, tokenLogprobs));
	}

	private void recordLatency() {
		long now = System.nanoTime();
		if (generated == 0) {
			listener.timeToFirstToken(Duration.ofNanos(now - submittedNanos));
		}
		else {
			listener.interTokenLatency(Duration.ofNanos(now - lastTokenNanos));
		}
		lastTokenNanos = now;
	}

}
