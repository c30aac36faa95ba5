package dev.llcuda.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The model architectures llcuda runs, by their {@code general.architecture} name (values
 * as in llcuda.h).
 */
public enum Architecture {

	/** Llama 2 and 3, TinyLlama, Mistral. */
	LLAMA(0, RopeType.NORMAL, false, false, false),
	/** Llama layout plus q/k/v biases and NEOX RoPE. */
	QWEN2(1, RopeType.NEOX, true, false, false),
	/** Llama layout with a per-head RMSNorm of q and k before NEOX RoPE. */
	QWEN3(2, RopeType.NEOX, false, true, false),
	/**
	 * GELU(tanh) FFN, norms of each block's output, soft-capping, alternating
	 * sliding-window layers.
	 */
	GEMMA2(3, RopeType.NEOX, false, false, true),
	/** Gemma 2's layer plus q/k RMSNorm; five sliding-window layers to one global. */
	GEMMA3(4, RopeType.NEOX, false, true, true),
	/**
	 * Encoder (BGE, MiniLM, E5): absolute positions, post-LayerNorm, GELU; embeddings
	 * only.
	 */
	BERT(5, RopeType.NORMAL, true, false, false),
	/** Encoder (nomic-embed-text): RoPE, fused QKV, SwiGLU; embeddings only. */
	NOMIC_BERT(6, RopeType.NEOX, true, false, false),
	/**
	 * Phi-3/3.5/4-mini: fused q/k/v and gate/up projections, partial rotary, LongRoPE.
	 */
	PHI3(7, RopeType.NEOX, false, false, false),
	/** Qwen3's attention with a mixture-of-experts FFN in every layer (Qwen3-30B-A3B). */
	QWEN3MOE(8, RopeType.NEOX, false, true, false);

	private final int abiValue;

	private final RopeType ropeType;

	private final boolean attentionBiases;

	private final boolean queryKeyNorms;

	private final boolean gemma;

	Architecture(int abiValue, RopeType ropeType, boolean attentionBiases, boolean queryKeyNorms, boolean gemma) {
		this.abiValue = abiValue;
		this.ropeType = ropeType;
		this.attentionBiases = attentionBiases;
		this.queryKeyNorms = queryKeyNorms;
		this.gemma = gemma;
	}

	/** The {@code llcuda_arch} value. */
	public int abiValue() {
		return abiValue;
	}

	/** The name in {@code general.architecture} and the prefix of its metadata keys. */
	public String ggufName() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	public RopeType ropeType() {
		return ropeType;
	}

	/** Whether each layer has {@code attn_q/k/v.bias} tensors. */
	public boolean attentionBiases() {
		return attentionBiases;
	}

	/**
	 * Whether each layer has {@code attn_q_norm/attn_k_norm} (per-head RMSNorm of q and
	 * k).
	 */
	public boolean queryKeyNorms() {
		return queryKeyNorms;
	}

	/**
	 * Whether this is a Gemma: embeddings scaled by sqrt(n_embd),
	 * {@code post_attention_norm} and {@code post_ffw_norm} in each layer, sliding-window
	 * layers.
	 */
	public boolean gemma() {
		return gemma;
	}

	/** Whether this is an encoder that embeds text (no generation, no KV cache). */
	public boolean encoder() {
		return this == BERT || this == NOMIC_BERT;
	}

	public static Optional<Architecture> byGgufName(String name) {
		return Arrays.stream(values()).filter(a -> a.ggufName().equals(name)).findFirst();
	}

}
