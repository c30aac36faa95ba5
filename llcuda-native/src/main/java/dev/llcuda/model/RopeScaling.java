package dev.llcuda.model;

import java.util.Objects;

/**
 * How a model's RoPE stretches positions beyond the context it was trained at, from the
 * {@code <arch>.rope.scaling.*} metadata and the {@code rope_freqs.weight} (or LongRoPE's
 * {@code rope_factors_long/short.weight}) tensors.
 *
 * @param type the scaling
 * @param factor the context factor ({@code rope.scaling.factor}; 1 = none)
 * @param originalContext the context the model was trained at
 * ({@code rope.scaling.original_context_length}); 0 when the file does not say
 * @param betaFast YaRN: rotations per original context where interpolation ends
 * @param betaSlow YaRN: rotations per original context where it starts
 * @param attnFactor magnitude of the rotated dimensions
 * ({@code rope.scaling.attn_factor}; 1 = none)
 */
public record RopeScaling(Type type, float factor, int originalContext, float betaFast, float betaSlow,
		float attnFactor) {

	/** No scaling. */
	public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1f, 0, 32f, 1f, 1f);

	/** The scaling types (values as {@code llcuda_rope_scaling} in llcuda.h). */
	public enum Type {

		NONE(0),
		/** Every frequency divided by the factor. */
		LINEAR(1),
		/**
		 * Per pair between interpolated and extrapolated frequencies, with a magnitude
		 * correction.
		 */
		YARN(2),
		/**
		 * Per-pair divisors in the tensor {@code rope_freqs.weight} (Llama 3.1 and
		 * later).
		 */
		LLAMA3(3),
		/**
		 * Phi-3's per-pair divisors: {@code rope_factors_long.weight} when the run's
		 * context exceeds the original one, else {@code rope_factors_short.weight}.
		 */
		LONGROPE(4);

		private final int abiValue;

		Type(int abiValue) {
			this.abiValue = abiValue;
		}

		/** The {@code llcuda_rope_scaling} value. */
		public int abiValue() {
			return abiValue;
		}

	}

	public RopeScaling {
		Objects.requireNonNull(type, "type");
	}

	/**
	 * The position scale 1 / factor, which llama.cpp applies whenever the file states a
	 * factor.
	 */
	public float frequencyScale() {
		return 1f / factor;
	}

	/**
	 * The longest context this scaling supports for a file that states
	 * {@code fileContext}: factor × original context when the scaling stretches it and
	 * the file gives both, else the file's.
	 */
	public int maxContext(int fileContext) {
		if (type == Type.NONE || factor <= 1f || originalContext <= 0) {
			return fileContext;
		}
		return (int) Math.max(fileContext,
				Math.min(Integer.MAX_VALUE, (long) Math.floor((double) factor * originalContext)));
	}
}
