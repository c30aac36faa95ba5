package dev.llcuda.model;

/**
 * The GGUF tensor names of the models llcuda runs (per-layer ones as suffixes of
 * {@code blk.N.}).
 */
final class TensorNames {

	static final String TOKEN_EMBEDDING = "token_embd.weight";
	static final String OUTPUT_NORM = "output_norm.weight";
	static final String OUTPUT = "output.weight";
	static final String ROPE_FREQS = "rope_freqs.weight";
	static final String ROPE_FACTORS_LONG = "rope_factors_long.weight";
	static final String ROPE_FACTORS_SHORT = "rope_factors_short.weight";
	static final String ATTENTION_Q_NORM = "attn_q_norm.weight";
	static final String ATTENTION_K_NORM = "attn_k_norm.weight";
	static final String POST_ATTENTION_NORM = "post_attention_norm.weight";
	static final String POST_FFN_NORM = "post_ffw_norm.weight";

	private TensorNames() {
	}

	static String layer(int layer, String suffix) {
		return "blk." + layer + "." + suffix;
	}

}
