package dev.llcuda.engine;

/** Why a request stopped generating. */
public enum FinishReason {

	/** An end-of-generation token or a stop string. */
	STOP,
	/** The request's max tokens, or the context (or the whole KV cache) is full. */
	LENGTH,
	/** Cancelled by the caller, by its deadline, or by an engine shutdown. */
	CANCELLED,
	/** The engine failed while running the request; the result's error says why. */
	ERROR

}
