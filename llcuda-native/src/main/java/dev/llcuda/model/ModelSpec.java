package dev.llcuda.model;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufFormatException;
import dev.llcuda.gguf.TensorInfo;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the engine needs to run a model: the architecture's hyper-parameters from GGUF metadata and
 * the tensor table, every tensor checked for presence, type and shape.
 *
 * @param name            {@code general.name}, or the file name without {@code .gguf}
 * @param vocabSize       tokens in the vocabulary
 * @param embeddingSize   the width of the residual stream (n_embd)
 * @param headSize        dimensions per attention head (key and value)
 * @param ropeDimensions  dimensions of each head that RoPE rotates
 * @param ropeFreqScale   position scale of linear RoPE scaling (1 = none)
 * @param fileType        the name of {@code general.file_type}, e.g. {@code Q4_K_M}, or {@code unknown}
 * @param parameterCount  elements of all tensors in the file
 * @param tensors         the tensors the model uses: token_embd, output_norm, output (if not tied to
 *                        token_embd), then each layer's; absolute offsets
 * @param pooling         how an encoder pools its output ({@link Pooling#NONE} for decoders)
 */
public record ModelSpec(Architecture architecture, String name, int vocabSize, int embeddingSize, int layers,
                        int heads, int kvHeads, int headSize, int feedForwardSize, int contextLength,
                        RopeType ropeType, int ropeDimensions, float ropeTheta, float ropeFreqScale,
                        float normEpsilon, String fileType, long parameterCount, List<TensorInfo> tensors,
                        Pooling pooling) {

    public ModelSpec {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ropeType, "ropeType");
        Objects.requireNonNull(fileType, "fileType");
        Objects.requireNonNull(pooling, "pooling");
        tensors = List.copyOf(tensors);
    }

    /**
     * Builds the spec of {@code file}: reads the {@code <arch>.*} metadata and checks every tensor the
     * architecture needs for presence, a type the engine supports (norms and biases F32) and shape.
     */
    public static ModelSpec from(GgufFile file) throws GgufFormatException {
        return new ModelSpecReader(file).read();
    }

    /** Query (and output projection input) width: heads × head size. */
    public int queryDimensions() {
        return heads * headSize;
    }

    /** Key/value width: KV heads × head size. */
    public int keyValueDimensions() {
        return kvHeads * headSize;
    }

    public Optional<TensorInfo> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Tensor {@code blk.<layer>.<suffix>}, e.g. {@code layerTensor(0, "attn_q.weight")}. */
    public Optional<TensorInfo> layerTensor(int layer, String suffix) {
        return tensor(TensorNames.layer(layer, suffix));
    }

    /** Whether the output projection reuses token_embd (the file has no output.weight). */
    public boolean outputTied() {
        return tensor(TensorNames.OUTPUT).isEmpty();
    }
}
