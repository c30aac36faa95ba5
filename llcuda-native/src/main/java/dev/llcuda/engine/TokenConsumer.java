package dev.llcuda.engine;

import org.jspecify.annotations.Nullable;

/**
 * Receives a sequence's sampled tokens on the engine thread (text, stop strings,
 * streaming).
 */
interface TokenConsumer {

	/**
	 * Accepts one generated token; returns true when it ends generation
	 * (end-of-generation id or stop string). {@code last} says no further token can
	 * follow (max tokens or context reached), so nothing may be held back any more.
	 */
	boolean accept(int token, boolean last);

	/**
	 * The log-probabilities of the token the next {@link #accept} gets (only when the
	 * request asked for them).
	 */
	void acceptLogprobs(TokenLogprobs logprobs);

	/** Called exactly once when the sequence finishes, after its last {@link #accept}. */
	void finish(FinishReason reason, @Nullable Throwable error);

}
