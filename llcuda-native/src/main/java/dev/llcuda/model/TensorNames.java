package dev.llcuda.model;

/** The GGUF tensor names of llama-family models. */
final class TensorNames {

    static final String TOKEN_EMBEDDING = "token_embd.weight";
    static final String OUTPUT_NORM = "output_norm.weight";
    static final String OUTPUT = "output.weight";
    static final String ROPE_FREQS = "rope_freqs.weight";

    private TensorNames() {
    }

    static String layer(int layer, String suffix) {
        return "blk." + layer + "." + suffix;
    }
}
