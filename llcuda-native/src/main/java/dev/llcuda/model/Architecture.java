package dev.llcuda.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The model architectures llcuda runs, by their {@code general.architecture} name. */
public enum Architecture {
    /** Llama 2 and 3, TinyLlama, Mistral. */
    LLAMA(RopeType.NORMAL, false),
    /** Llama layout plus q/k/v biases and NEOX RoPE. */
    QWEN2(RopeType.NEOX, true);

    private final RopeType ropeType;
    private final boolean attentionBiases;

    Architecture(RopeType ropeType, boolean attentionBiases) {
        this.ropeType = ropeType;
        this.attentionBiases = attentionBiases;
    }

    /** The name in {@code general.architecture} and the prefix of its metadata keys. */
    public String ggufName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public RopeType ropeType() {
        return ropeType;
    }

    /** Whether each layer has {@code attn_q/k/v.bias} tensors. */
    public boolean attentionBiases() {
        return attentionBiases;
    }

    public static Optional<Architecture> byGgufName(String name) {
        return Arrays.stream(values()).filter(a -> a.ggufName().equals(name)).findFirst();
    }
}
