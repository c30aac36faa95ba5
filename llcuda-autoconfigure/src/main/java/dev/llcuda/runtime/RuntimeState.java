package dev.llcuda.runtime;

/** Where the runtime stands, as health reports it. */
public enum RuntimeState {

	/** Running, but no model is configured or activated yet. */
	NO_MODEL,
	/** A model is being loaded; requests are refused until it is ready. */
	LOADING,
	/** A model is loaded and the engine runs. */
	READY,
	/**
	 * The engine failed and its model is being reloaded, with growing delays between
	 * attempts.
	 */
	RECOVERING,
	/** The native library, the model load or the engine failed; the failure says why. */
	FAILED,
	/** Stopped with the application. */
	STOPPED

}
