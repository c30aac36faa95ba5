package dev.llcuda.runtime;

/**
 * A LoRA adapter that does not fit the model it was to be loaded with (another
 * architecture, a tensor the model lacks, another shape); nothing was loaded.
 */
public final class AdapterMismatchException extends IllegalArgumentException {

	public AdapterMismatchException(String message) {
		super(message);
	}

	public AdapterMismatchException(String message, Throwable cause) {
		super(message, cause);
	}

}
