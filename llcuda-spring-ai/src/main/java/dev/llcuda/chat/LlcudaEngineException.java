package dev.llcuda.chat;

import org.jspecify.annotations.Nullable;

/**
 * The engine failed while running a request (a device or native error); the message says
 * why.
 */
public final class LlcudaEngineException extends RuntimeException {

	public LlcudaEngineException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
