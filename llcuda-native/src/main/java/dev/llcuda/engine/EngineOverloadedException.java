package dev.llcuda.engine;

/** Thrown at once by {@link Engine#submit} when the queue of waiting requests is full. */
public final class EngineOverloadedException extends RuntimeException {

	private final int queueLimit;

	public EngineOverloadedException(int queueLimit) {
		super("engine overloaded: " + queueLimit + " requests already wait (llcuda.engine max queued requests)");
		this.queueLimit = queueLimit;
	}

	public int queueLimit() {
		return queueLimit;
	}

}
