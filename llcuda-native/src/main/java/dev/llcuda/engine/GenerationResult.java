package dev.llcuda.engine;

import java.util.List;
import java.util.Optional;

/**
 * Outcome of one request.
 *
 * @param text all emitted text (stop strings and text after them excluded)
 * @param promptTokens tokens of the prompt
 * @param generatedTokens tokens sampled (an end-of-generation token included)
 * @param finishReason why it ended
 * @param error the cause when {@code finishReason} is {@link FinishReason#ERROR}
 * @param logprobs when the request asked for them, the log-probabilities of each token
 * that emitted a piece (end-of-generation tokens excluded), in order; else empty
 */
public record GenerationResult(String text, int promptTokens, int generatedTokens, FinishReason finishReason,
		Optional<Throwable> error, List<TokenLogprobs> logprobs) {

	public GenerationResult {
		logprobs = List.copyOf(logprobs);
	}

	/** Without log-probabilities. */
	public GenerationResult(String text, int promptTokens, int generatedTokens, FinishReason finishReason,
			Optional<Throwable> error) {
		this(text, promptTokens, generatedTokens, finishReason, error, List.of());
	}
}
