package dev.llcuda.engine;

import java.util.Optional;

/**
 * Outcome of one request.
 *
 * @param text             all emitted text (stop strings and text after them excluded)
 * @param promptTokens     tokens of the prompt
 * @param generatedTokens  tokens sampled (an end-of-generation token included)
 * @param finishReason     why it ended
 * @param error            the cause when {@code finishReason} is {@link FinishReason#ERROR}
 */
public record GenerationResult(String text, int promptTokens, int generatedTokens, FinishReason finishReason,
                               Optional<Throwable> error) {
}
