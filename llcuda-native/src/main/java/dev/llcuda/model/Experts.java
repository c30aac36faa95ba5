package dev.llcuda.model;

/**
 * A mixture-of-experts FFN as llama.cpp reads it ({@code <arch>.expert_count},
 * {@code expert_used_count}, {@code expert_feed_forward_length}): each token goes to the
 * {@code used} experts of highest softmax probability of the router
 * ({@code ffn_gate_inp}), weighted by those probabilities renormalised to sum 1.
 *
 * @param count experts per layer (0: a dense FFN)
 * @param used experts per token
 * @param feedForward each expert's FFN width
 */
public record Experts(int count, int used, int feedForward) {

	/** A dense FFN. */
	public static final Experts NONE = new Experts(0, 0, 0);

	public boolean present() {
		return count > 0;
	}
}
