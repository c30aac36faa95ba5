package dev.llcuda.engine;

import org.jspecify.annotations.Nullable;

/**
 * A {@link StepRunner} refused a batch because of what its requests ask (the native
 * step's INVALID_ARGUMENT or UNSUPPORTED), before computing anything: a fault of one or
 * more requests, not of the model or device.
 */
public final class StepRejectedException extends RuntimeException {

	public StepRejectedException(@Nullable String message, Throwable cause) {
		super(message, cause);
	}

	public StepRejectedException(String message) {
		super(message);
	}

}
