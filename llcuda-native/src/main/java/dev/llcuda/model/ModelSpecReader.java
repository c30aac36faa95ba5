package dev.llcuda.model;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufFormatException;
import dev.llcuda.gguf.GgufMetadata;
import dev.llcuda.gguf.GgufValue;
import dev.llcuda.gguf.GgufValueType;
import dev.llcuda.gguf.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Reads and checks one file's {@link ModelSpec}; every problem is a {@link GgufFormatException}. */
final class ModelSpecReader {

    static final String ARCHITECTURE_KEY = "general.architecture";
    static final String TOKENS_KEY = "tokenizer.ggml.tokens";

    private final GgufFile file;
    private final GgufMetadata metadata;
    private final List<TensorInfo> used = new ArrayList<>();
    private String prefix;

    ModelSpecReader(GgufFile file) {
        this.file = file;
        this.metadata = file.metadata();
    }

    ModelSpec read() throws GgufFormatException {
        String archName = metadata.requireString(ARCHITECTURE_KEY);
        Architecture arch = Architecture.byGgufName(archName).orElseThrow(() -> error(ARCHITECTURE_KEY,
                "architecture '" + archName + "' is not supported (supported: "
                        + Arrays.stream(Architecture.values()).map(Architecture::ggufName)
                        .collect(Collectors.joining(", ")) + ")"));
        prefix = arch.ggufName() + ".";
        if (arch.encoder()) {
            return readEncoder(arch);
        }

        int embd = positive("embedding_length");
        int layers = positive("block_count");
        int heads = positive("attention.head_count");
        int kvHeads = positive("attention.head_count_kv", heads);
        if (heads % kvHeads != 0) {
            throw error(prefix + "attention.head_count_kv", heads + " heads are not a multiple of " + kvHeads
                    + " KV heads");
        }
        if (!metadata.contains(prefix + "attention.key_length") && embd % heads != 0) {
            throw error(prefix + "embedding_length", "embedding length " + embd + " is not a multiple of "
                    + heads + " heads");
        }
        int headSize = positive("attention.key_length", embd / heads);
        int valueSize = positive("attention.value_length", headSize);
        if (valueSize != headSize) {
            throw error(prefix + "attention.value_length", "value length " + valueSize
                    + " differs from key length " + headSize + " (not supported)");
        }
        if ((long) heads * headSize > Integer.MAX_VALUE) {
            throw error(prefix + "attention.head_count", heads + " heads of size " + headSize
                    + " exceed " + Integer.MAX_VALUE + " dimensions");
        }
        int feedForward = positive("feed_forward_length");
        int context = positive("context_length");
        int ropeDims = positive("rope.dimension_count", headSize);
        if (ropeDims > headSize || ropeDims % 2 != 0) {
            throw error(prefix + "rope.dimension_count", "RoPE dimension count " + ropeDims
                    + " must be even and at most the head size " + headSize);
        }
        float ropeTheta = positiveReal("rope.freq_base", 10000.0);
        float freqScale = ropeFrequencyScale();
        float epsilon = positiveReal("attention.layer_norm_rms_epsilon", Double.NaN);
        int vocab = vocabularySize();
        String name = metadata.contains("general.name") ? metadata.requireString("general.name") : fileStem();
        String fileType = metadata.contains(FileType.KEY)
                ? FileType.label(metadata.requireInteger(FileType.KEY)) : "unknown";

        long[] embdVocab = {embd, vocab};
        long[] norm = {embd};
        int qDim = heads * headSize;
        int kvDim = kvHeads * headSize;
        weight(TensorNames.TOKEN_EMBEDDING, embdVocab);
        f32(TensorNames.OUTPUT_NORM, norm);
        Optional<TensorInfo> output = file.tensor(TensorNames.OUTPUT);
        if (output.isPresent()) {
            weight(TensorNames.OUTPUT, embdVocab);
        }
        for (int layer = 0; layer < layers; layer++) {
            f32(TensorNames.layer(layer, "attn_norm.weight"), norm);
            weight(TensorNames.layer(layer, "attn_q.weight"), embd, qDim);
            weight(TensorNames.layer(layer, "attn_k.weight"), embd, kvDim);
            weight(TensorNames.layer(layer, "attn_v.weight"), embd, kvDim);
            if (arch.attentionBiases()) {
                f32(TensorNames.layer(layer, "attn_q.bias"), qDim);
                f32(TensorNames.layer(layer, "attn_k.bias"), kvDim);
                f32(TensorNames.layer(layer, "attn_v.bias"), kvDim);
            }
            weight(TensorNames.layer(layer, "attn_output.weight"), qDim, embd);
            f32(TensorNames.layer(layer, "ffn_norm.weight"), norm);
            weight(TensorNames.layer(layer, "ffn_gate.weight"), embd, feedForward);
            weight(TensorNames.layer(layer, "ffn_up.weight"), embd, feedForward);
            weight(TensorNames.layer(layer, "ffn_down.weight"), feedForward, embd);
        }
        return new ModelSpec(arch, name, vocab, embd, layers, heads, kvHeads, headSize, feedForward, context,
                arch.ropeType(), ropeDims, ropeTheta, freqScale, epsilon, fileType, file.elementCount(), used,
                Pooling.NONE);
    }

    /**
     * bert as llama.cpp's converter writes it: absolute positions (one row per context position),
     * optional token types, LayerNorms with biases, optional projection biases, the pooling type.
     * nomic-bert: RoPE instead of the position table, one fused QKV projection, a SwiGLU FFN whose
     * biases llama.cpp does not apply (so they are not read).
     */
    private ModelSpec readEncoder(Architecture arch) throws GgufFormatException {
        int embd = positive("embedding_length");
        int layers = positive("block_count");
        int heads = positive("attention.head_count");
        if (embd % heads != 0) {
            throw error(prefix + "embedding_length", "embedding length " + embd + " is not a multiple of "
                    + heads + " heads");
        }
        int feedForward = positive("feed_forward_length");
        int context = positive("context_length");
        float epsilon = positiveReal("attention.layer_norm_epsilon", Double.NaN);
        Pooling pooling = encoderPooling();
        int vocab = vocabularySize();
        String name = metadata.contains("general.name") ? metadata.requireString("general.name") : fileStem();
        String fileType = metadata.contains(FileType.KEY)
                ? FileType.label(metadata.requireInteger(FileType.KEY)) : "unknown";

        weight(TensorNames.TOKEN_EMBEDDING, embd, vocab);
        boolean nomic = arch == Architecture.NOMIC_BERT;
        if (!nomic) {
            weight("position_embd.weight", embd, context);
        }
        Optional<TensorInfo> types = file.tensor("token_types.weight");
        if (types.isPresent()) {
            weight("token_types.weight", embd, types.get().dim(1));
        }
        f32("token_embd_norm.weight", embd);
        f32("token_embd_norm.bias", embd);
        for (int layer = 0; layer < layers; layer++) {
            if (nomic) {
                weight(TensorNames.layer(layer, "attn_qkv.weight"), embd, 3L * embd);
                optionalF32(TensorNames.layer(layer, "attn_qkv.bias"), 3L * embd);
                weight(TensorNames.layer(layer, "ffn_gate.weight"), embd, feedForward);
            }
            for (String projection : nomic ? List.of("attn_output") : List.of("attn_q", "attn_k", "attn_v", "attn_output")) {
                weight(TensorNames.layer(layer, projection + ".weight"), embd, embd);
                optionalF32(TensorNames.layer(layer, projection + ".bias"), embd);
            }
            f32(TensorNames.layer(layer, "attn_output_norm.weight"), embd);
            f32(TensorNames.layer(layer, "attn_output_norm.bias"), embd);
            weight(TensorNames.layer(layer, "ffn_up.weight"), embd, feedForward);
            if (!nomic) {
                optionalF32(TensorNames.layer(layer, "ffn_up.bias"), feedForward);
            }
            weight(TensorNames.layer(layer, "ffn_down.weight"), feedForward, embd);
            if (!nomic) {
                optionalF32(TensorNames.layer(layer, "ffn_down.bias"), embd);
            }
            f32(TensorNames.layer(layer, "layer_output_norm.weight"), embd);
            f32(TensorNames.layer(layer, "layer_output_norm.bias"), embd);
        }
        int headSize = embd / heads;
        // bert has no RoPE: its rope fields carry neutral values the native spec check accepts.
        int ropeDims = nomic ? positive("rope.dimension_count", headSize) : headSize;
        float ropeTheta = nomic ? positiveReal("rope.freq_base", 10000.0) : 10000.0f;
        return new ModelSpec(arch, name, vocab, embd, layers, heads, heads, headSize, feedForward, context,
                arch.ropeType(), ropeDims, ropeTheta, 1.0f, epsilon, fileType, file.elementCount(), used, pooling);
    }

    /** {@code <arch>.pooling_type}: mean, CLS or last; llama.cpp's other kinds (none, rank) are refused. */
    private Pooling encoderPooling() throws GgufFormatException {
        String key = prefix + "pooling_type";
        long value = metadata.requireInteger(key);
        for (Pooling pooling : List.of(Pooling.MEAN, Pooling.CLS, Pooling.LAST)) {
            if (pooling.abiValue() == value) {
                return pooling;
            }
        }
        throw error(key, key + " = " + value + " is not supported (1 mean, 2 CLS, 3 last)");
    }

    private void optionalF32(String name, long... shape) throws GgufFormatException {
        if (file.tensor(name).isPresent()) {
            f32(name, shape);
        }
    }

    private GgufFormatException error(String key, String problem) {
        return new GgufFormatException(file.path(), metadata.offset(key).orElse(GgufFormatException.NO_OFFSET),
                problem);
    }

    /** {@code <arch>.<suffix>}: a required integer in 1..Integer.MAX_VALUE. */
    private int positive(String suffix) throws GgufFormatException {
        return positive(suffix, -1);
    }

    /** {@code <arch>.<suffix>} in 1..Integer.MAX_VALUE, or {@code fallback} when absent (-1: required). */
    private int positive(String suffix, int fallback) throws GgufFormatException {
        String key = prefix + suffix;
        if (!metadata.contains(key) && fallback > 0) {
            return fallback;
        }
        long value = metadata.requireInteger(key);
        if (value < 1 || value > Integer.MAX_VALUE) {
            throw error(key, key + " = " + value + " is outside 1.." + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    /** {@code <arch>.<suffix>}: a positive finite float, or {@code fallback} when absent (NaN: required). */
    private float positiveReal(String suffix, double fallback) throws GgufFormatException {
        String key = prefix + suffix;
        if (!metadata.contains(key) && !Double.isNaN(fallback)) {
            return (float) fallback;
        }
        double value = metadata.requireReal(key);
        if (!(value > 0) || !Float.isFinite((float) value)) {
            throw error(key, key + " = " + value + " is not a positive finite number");
        }
        return (float) value;
    }

    /** 1 / factor for linear RoPE scaling, 1 without scaling; other scaling types are unsupported. */
    private float ropeFrequencyScale() throws GgufFormatException {
        String typeKey = prefix + "rope.scaling.type";
        String type = metadata.contains(typeKey) ? metadata.requireString(typeKey).toLowerCase(Locale.ROOT) : "";
        String legacyKey = prefix + "rope.scale_linear";
        if (type.isEmpty() && metadata.contains(legacyKey)) {
            return 1.0f / positiveReal("rope.scale_linear", Double.NaN);
        }
        return switch (type) {
            case "", "none" -> 1.0f;
            case "linear" -> 1.0f / positiveReal("rope.scaling.factor", 1.0);
            default -> throw error(typeKey, "RoPE scaling type '" + type + "' is not supported (none, linear)");
        };
    }

    private int vocabularySize() throws GgufFormatException {
        if (metadata.contains(TOKENS_KEY)) {
            GgufValue tokens = metadata.get(TOKENS_KEY);
            if (!(tokens instanceof GgufValue.Array array) || array.elementType() != GgufValueType.STRING) {
                throw error(TOKENS_KEY, TOKENS_KEY + " is " + tokens.typeName() + ", expected array<string>");
            }
            int size = array.size();
            if (size < 1) {
                throw error(TOKENS_KEY, TOKENS_KEY + " is empty");
            }
            return size;
        }
        return positive("vocab_size");
    }

    private String fileStem() {
        String fileName = String.valueOf(file.path().getFileName());
        return fileName.endsWith(".gguf") ? fileName.substring(0, fileName.length() - 5) : fileName;
    }

    /** A matrix or embedding: any type the engine computes with. */
    private void weight(String name, long... shape) throws GgufFormatException {
        TensorInfo t = tensor(name, shape);
        if (!t.type().supportedByEngine()) {
            throw new GgufFormatException(file.path(), t.offset(), "tensor '" + name + "' has type " + t.type()
                    + ", which the engine does not support (supported: " + Arrays.stream(GgmlType.values())
                    .filter(GgmlType::supportedByEngine).map(Enum::name).collect(Collectors.joining(", ")) + ")");
        }
    }

    /** A norm weight or bias: F32. */
    private void f32(String name, long... shape) throws GgufFormatException {
        TensorInfo t = tensor(name, shape);
        if (t.type() != GgmlType.F32) {
            throw new GgufFormatException(file.path(), t.offset(), "tensor '" + name + "' has type " + t.type()
                    + ", expected F32");
        }
    }

    private TensorInfo tensor(String name, long... shape) throws GgufFormatException {
        TensorInfo t = file.tensor(name).orElseThrow(() -> new GgufFormatException(file.path(),
                GgufFormatException.NO_OFFSET, "missing required tensor '" + name + "'"));
        if (!t.hasShape(shape)) {
            throw new GgufFormatException(file.path(), t.offset(), "tensor '" + name + "' has shape " + t.shape()
                    + ", expected " + Arrays.toString(shape));
        }
        used.add(t);
        return t;
    }
}
