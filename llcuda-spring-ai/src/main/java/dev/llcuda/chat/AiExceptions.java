package dev.llcuda.chat;

import java.util.concurrent.CompletionException;

import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.TransientAiException;

import dev.llcuda.engine.EngineOverloadedException;

/**
 * Spring AI's two exception families for what the llcuda models throw, as its provider
 * modules do, so that {@code spring-ai-retry} and callers can tell what to try again: a
 * full engine is transient (as is no model serving yet, which {@link LlcudaChatProvider}
 * reports as such); a request the engine refuses (bad options, an unknown tool or
 * adapter, a prompt over the context) is not. The original stays the cause and keeps its
 * message; engine faults and cancellations pass unchanged.
 */
public final class AiExceptions {

	private AiExceptions() {
	}

	/**
	 * {@code error} (or the cause of a {@link CompletionException}) in Spring AI's
	 * family, or as it is.
	 */
	public static RuntimeException translate(Throwable error) {
		Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
		if (cause instanceof EngineOverloadedException) {
			return new TransientAiException(String.valueOf(cause.getMessage()), cause);
		}
		if (cause instanceof IllegalArgumentException) {
			return new NonTransientAiException(String.valueOf(cause.getMessage()), cause);
		}
		return error instanceof RuntimeException runtime ? runtime : new CompletionException(error);
	}

}
