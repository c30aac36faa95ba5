package dev.llcuda.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufFormatException;
import dev.llcuda.gguf.GgufValue;
import dev.llcuda.gguf.SharedGgufFiles;
import dev.llcuda.gguf.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelSpecTests {

    @TempDir
    Path dir;

    private static ModelSpec spec(Path path) throws IOException {
        try (GgufFile file = GgufFile.open(path)) {
            return ModelSpec.from(file);
        }
    }

    private ModelSpec spec(SyntheticModel model) throws IOException {
        return spec(model.write(dir.resolve("model.gguf")));
    }

    private GgufFormatException rejected(SyntheticModel model, String problem) throws IOException {
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> spec(model));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.resolve("model.gguf").toString()), e.getMessage());
        return e;
    }

    @ParameterizedTest
    @CsvSource({"f32, F32", "f16, F16", "BF16, BF16", "Q8_0, Q8_0", "Q4_0, Q4_0", "Q4_K_M, Q4_K_M",
            "Q5_K_M, Q5_K_M", "Q6_K, Q6_K"})
    void microLlamaHasTheHyperParametersOfTheTestDataReadme(String suffix, String fileType) throws IOException {
        ModelSpec spec = spec(SharedGgufFiles.model("micro-llama-" + suffix + ".gguf"));
        assertEquals(Architecture.LLAMA, spec.architecture());
        assertEquals(256, spec.embeddingSize());
        assertEquals(2, spec.layers());
        assertEquals(4, spec.heads());
        assertEquals(2, spec.kvHeads());
        assertEquals(64, spec.headSize());
        assertEquals(512, spec.feedForwardSize());
        assertEquals(256, spec.contextLength());
        assertEquals(512, spec.vocabSize());
        assertEquals(RopeType.NORMAL, spec.ropeType());
        assertEquals(64, spec.ropeDimensions());
        assertEquals(10000f, spec.ropeTheta());
        assertEquals(1f, spec.ropeFreqScale());
        assertEquals(1e-5f, spec.normEpsilon());
        assertEquals(fileType, spec.fileType());
        // token_embd, output and output_norm plus 9 per layer: 2*256*512 + 256 + 2*(2*256 + 2*256*256 + 2*256*128
        // + 3*256*512)
        assertEquals(1_443_072, spec.parameterCount());
        assertEquals(21, spec.tensors().size());
        assertFalse(spec.outputTied());
        assertEquals("synthetic-llama-micro", spec.name());
    }

    @ParameterizedTest
    @CsvSource({"f32, F32", "Q8_0, Q8_0", "Q4_K_M, Q4_K_M"})
    void microQwen2HasBiasesNeoxRopeAndTheta1e6(String suffix, String fileType) throws IOException {
        ModelSpec spec = spec(SharedGgufFiles.model("micro-qwen2-" + suffix + ".gguf"));
        assertEquals(Architecture.QWEN2, spec.architecture());
        assertEquals(RopeType.NEOX, spec.ropeType());
        assertEquals(1e6f, spec.ropeTheta());
        assertEquals(1e-6f, spec.normEpsilon());
        assertEquals(List.of(256, 2, 4, 2, 64, 512, 256, 512), List.of(spec.embeddingSize(), spec.layers(),
                spec.heads(), spec.kvHeads(), spec.headSize(), spec.feedForwardSize(), spec.contextLength(),
                spec.vocabSize()));
        assertEquals(fileType, spec.fileType());
        assertEquals(27, spec.tensors().size());
        TensorInfo kBias = spec.layerTensor(1, "attn_k.bias").orElseThrow();
        assertEquals(GgmlType.F32, kBias.type());
        assertTrue(kBias.hasShape(128));
    }

    @Test
    void tinyRandomLlama2() throws IOException {
        ModelSpec spec = spec(SharedGgufFiles.model("llama-2-tiny-random.gguf"));
        assertEquals(List.of(8, 1, 2, 2, 4, 32, 4096, 32000, 4), List.of(spec.embeddingSize(), spec.layers(),
                spec.heads(), spec.kvHeads(), spec.headSize(), spec.feedForwardSize(), spec.contextLength(),
                spec.vocabSize(), spec.ropeDimensions()));
        assertEquals("F16", spec.fileType());
        assertEquals(2 * 32000 * 8 + 8 + 8 + 4 * 8 * 8 + 8 + 3 * 8 * 32, spec.parameterCount());
    }

    @Test
    void tensorsComeInEngineOrderWithAbsoluteOffsets() throws IOException {
        Path path = SharedGgufFiles.model("micro-llama-Q8_0.gguf");
        try (GgufFile file = GgufFile.open(path)) {
            ModelSpec spec = ModelSpec.from(file);
            assertEquals(List.of("token_embd.weight", "output_norm.weight", "output.weight", "blk.0.attn_norm.weight",
                    "blk.0.attn_q.weight"), spec.tensors().stream().limit(5).map(TensorInfo::name).toList());
            for (TensorInfo t : spec.tensors()) {
                assertEquals(file.tensor(t.name()).orElseThrow(), t);
                assertTrue(t.offset() >= file.dataOffset());
            }
        }
    }

    @Test
    void syntheticModelsDefaultTheOptionalKeys() throws IOException {
        SyntheticModel model = new SyntheticModel("llama").remove("llama.attention.head_count_kv");
        ModelSpec spec = spec(model.replace("blk.0.attn_k.weight", GgmlType.F16, 64, 64)
                .replace("blk.0.attn_v.weight", GgmlType.F16, 64, 64)
                .replace("blk.1.attn_k.weight", GgmlType.F16, 64, 64)
                .replace("blk.1.attn_v.weight", GgmlType.F16, 64, 64));
        assertEquals(4, spec.kvHeads());
        assertEquals(16, spec.headSize());
        assertEquals(16, spec.ropeDimensions());
        assertEquals(10000f, spec.ropeTheta());
        assertEquals("F16", spec.fileType());
        assertEquals("model", spec.name());
    }

    @Test
    void tiedOutputUsesTokenEmbedding() throws IOException {
        ModelSpec spec = spec(new SyntheticModel("llama").omit("output.weight"));
        assertTrue(spec.outputTied());
        assertTrue(spec.tensor("output.weight").isEmpty());
        assertEquals(2 + 2 * 9, spec.tensors().size());
    }

    @Test
    void linearRopeScalingDividesFrequencies() throws IOException {
        ModelSpec spec = spec(new SyntheticModel("llama")
                .put("llama.rope.scaling.type", GgufValue.string("linear"))
                .put("llama.rope.scaling.factor", GgufValue.float32(4f))
                .put("llama.rope.freq_base", GgufValue.float32(500000f)));
        assertEquals(0.25f, spec.ropeFreqScale());
        assertEquals(500000f, spec.ropeTheta());
        rejected(new SyntheticModel("llama").put("llama.rope.scaling.type", GgufValue.string("yarn")),
                "RoPE scaling type 'yarn' is not supported (none, linear)");
    }

    @Test
    void vocabularySizeFallsBackToTheArchitectureKey() throws IOException {
        SyntheticModel model = new SyntheticModel("llama").remove("tokenizer.ggml.tokens")
                .put("llama.vocab_size", GgufValue.uint32(20));
        assertEquals(20, spec(model).vocabSize());
        rejected(new SyntheticModel("llama").remove("tokenizer.ggml.tokens"), "missing metadata key 'llama.vocab_size'");
    }

    @Test
    void missingRequiredTensorsAreNamed() throws IOException {
        rejected(new SyntheticModel("llama").omit("blk.1.ffn_up.weight"), "missing required tensor 'blk.1.ffn_up.weight'");
        rejected(new SyntheticModel("llama").omit("token_embd.weight"), "missing required tensor 'token_embd.weight'");
        rejected(new SyntheticModel("qwen2").omit("blk.0.attn_v.bias"), "missing required tensor 'blk.0.attn_v.bias'");
    }

    @Test
    void wrongShapesAreNamedWithTheExpectedShape() throws IOException {
        GgufFormatException e = rejected(new SyntheticModel("llama").replace("blk.0.attn_k.weight", GgmlType.F16, 64, 64),
                "tensor 'blk.0.attn_k.weight' has shape [64, 64], expected [64, 32]");
        assertTrue(e.offset() > 0);
        rejected(new SyntheticModel("llama").replace("token_embd.weight", GgmlType.F16, 64, 21),
                "tensor 'token_embd.weight' has shape [64, 21], expected [64, 20]");
        rejected(new SyntheticModel("llama").replace("blk.1.ffn_down.weight", GgmlType.F16, 64, 96),
                "expected [96, 64]");
        rejected(new SyntheticModel("qwen2").replace("blk.0.attn_q.bias", GgmlType.F32, 32), "expected [64]");
    }

    @Test
    void unsupportedWeightTypesAreReportedByName() throws IOException {
        rejected(new SyntheticModel("llama").replace("blk.0.ffn_gate.weight", GgmlType.Q4_1, 64, 96),
                "tensor 'blk.0.ffn_gate.weight' has type Q4_1, which the engine does not support (supported: F32, F16,"
                        + " Q4_0, Q8_0, Q4_K, Q5_K, Q6_K, BF16)");
        rejected(new SyntheticModel("llama").replace("blk.0.ffn_norm.weight", GgmlType.F16, 64),
                "tensor 'blk.0.ffn_norm.weight' has type F16, expected F32");
    }

    @Test
    void bertNeedsAPoolingTypeLlcudaRuns() throws IOException {
        SyntheticModel bert = new SyntheticModel("bert").put("bert.attention.layer_norm_epsilon", GgufValue.float32(1e-12f));
        rejected(bert, "missing metadata key 'bert.pooling_type'");
        rejected(bert.put("bert.pooling_type", GgufValue.uint32(4)), "bert.pooling_type = 4 is not supported (1 mean, 2 CLS, 3 last)");
        rejected(bert.put("bert.pooling_type", GgufValue.uint32(2)), "missing required tensor 'position_embd.weight'");
    }

    @Test
    void badHyperParametersAreNamed() throws IOException {
        rejected(new SyntheticModel("gpt2"), "architecture 'gpt2' is not supported (supported: llama, qwen2, bert, nomic-bert)");
        rejected(new SyntheticModel("llama").remove("llama.block_count"), "missing metadata key 'llama.block_count'");
        rejected(new SyntheticModel("llama").put("llama.block_count", GgufValue.uint32(0)),
                "llama.block_count = 0 is outside 1..2147483647");
        rejected(new SyntheticModel("llama").put("llama.attention.head_count_kv", GgufValue.uint32(3)),
                "4 heads are not a multiple of 3 KV heads");
        rejected(new SyntheticModel("llama").put("llama.embedding_length", GgufValue.string("64")),
                "metadata key 'llama.embedding_length' is string, expected an integer");
        rejected(new SyntheticModel("llama").put("llama.rope.dimension_count", GgufValue.uint32(17)),
                "RoPE dimension count 17 must be even and at most the head size 16");
        rejected(new SyntheticModel("llama").put("llama.attention.layer_norm_rms_epsilon", GgufValue.float32(-1f)),
                "is not a positive finite number");
        rejected(new SyntheticModel("llama").put("llama.attention.key_length", GgufValue.uint32(1 << 30)),
                "4 heads of size 1073741824 exceed 2147483647 dimensions");
        rejected(new SyntheticModel("llama").put("llama.attention.value_length", GgufValue.uint32(8)),
                "value length 8 differs from key length 16");
    }
}
