package dev.llcuda.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The model architectures llcuda runs, by their {@code general.architecture} name (values as in llcuda.h). */
public enum Architecture {
    /** Llama 2 and 3, TinyLlama, Mistral. */
    LLAMA(0, RopeType.NORMAL, false),
    /** Llama layout plus q/k/v biases and NEOX RoPE. */
    QWEN2(1, RopeType.NEOX, true),
    /** Encoder (BGE, MiniLM, E5): absolute positions, post-LayerNorm, GELU; embeddings only. */
    BERT(2, RopeType.NORMAL, true),
    /** Encoder (nomic-embed-text): RoPE, fused QKV, SwiGLU; embeddings only. */
    NOMIC_BERT(3, RopeType.NEOX, true);

    private final int abiValue;
    private final RopeType ropeType;
    private final boolean attentionBiases;

    Architecture(int abiValue, RopeType ropeType, boolean attentionBiases) {
        this.abiValue = abiValue;
        this.ropeType = ropeType;
        this.attentionBiases = attentionBiases;
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

    /** Whether this is an encoder that embeds text (no generation, no KV cache). */
    public boolean encoder() {
        return this == BERT || this == NOMIC_BERT;
    }

    public static Optional<Architecture> byGgufName(String name) {
        return Arrays.stream(values()).filter(a -> a.ggufName().equals(name)).findFirst();
    }
}
