package dev.llcuda.runtime;

/** A request came while no model is serving; the message says why and how to load one. */
public final class NoModelLoadedException extends IllegalStateException {

	public NoModelLoadedException(String message) {
		super(message);
	}

}
