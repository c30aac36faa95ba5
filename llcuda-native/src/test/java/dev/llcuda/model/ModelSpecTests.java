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
	@CsvSource({ "f32, F32", "f16, F16", "BF16, BF16", "Q8_0, Q8_0", "Q4_0, Q4_0", "Q4_K_M, Q4_K_M", "Q5_K_M, Q5_K_M",
			"Q6_K, Q6_K" })
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
		// token_embd, output and output_norm plus 9 per layer: 2*256*512 + 256 + 2*(2*256
		// + 2*256*256 + 2*256*128
		// + 3*256*512)
		assertEquals(1_443_072, spec.parameterCount());
		assertEquals(21, spec.tensors().size());
		assertFalse(spec.outputTied());
		assertEquals("synthetic-llama-micro", spec.name());
	}

	@ParameterizedTest
	@CsvSource({ "f32, F32", "Q8_0, Q8_0", "Q4_K_M, Q4_K_M" })
	void microQwen2HasBiasesNeoxRopeAndTheta1e6(String suffix, String fileType) throws IOException {
		ModelSpec spec = spec(SharedGgufFiles.model("micro-qwen2-" + suffix + ".gguf"));
		assertEquals(Architecture.QWEN2, spec.architecture());
		assertEquals(RopeType.NEOX, spec.ropeType());
		assertEquals(1e6f, spec.ropeTheta());
		assertEquals(1e-6f, spec.normEpsilon());
		assertEquals(List.of(256, 2, 4, 2, 64, 512, 256, 512),
				List.of(spec.embeddingSize(), spec.layers(), spec.heads(), spec.kvHeads(), spec.headSize(),
						spec.feedForwardSize(), spec.contextLength(), spec.vocabSize()));
		assertEquals(fileType, spec.fileType());
		assertEquals(27, spec.tensors().size());
		TensorInfo kBias = spec.layerTensor(1, "attn_k.bias").orElseThrow();
		assertEquals(GgmlType.F32, kBias.type());
		assertTrue(kBias.hasShape(128));
	}

	@Test
	void tinyRandomLlama2() throws IOException {
		ModelSpec spec = spec(SharedGgufFiles.model("llama-2-tiny-random.gguf"));
		assertEquals(List.of(8, 1, 2, 2, 4, 32, 4096, 32000, 4),
				List.of(spec.embeddingSize(), spec.layers(), spec.heads(), spec.kvHeads(), spec.headSize(),
						spec.feedForwardSize(), spec.contextLength(), spec.vocabSize(), spec.ropeDimensions()));
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
		ModelSpec spec = spec(new SyntheticModel("llama").put("llama.rope.scaling.type", GgufValue.string("linear"))
			.put("llama.rope.scaling.factor", GgufValue.float32(4f))
			.put("llama.rope.freq_base", GgufValue.float32(500000f)));
		assertEquals(0.25f, spec.ropeFreqScale());
		assertEquals(500000f, spec.ropeTheta());
		assertEquals(RopeScaling.Type.LINEAR, spec.ropeScaling().type());
		ModelSpec untyped = spec(new SyntheticModel("llama").put("llama.rope.scaling.factor", GgufValue.float32(2f)));
		assertEquals(RopeScaling.Type.LINEAR, untyped.ropeScaling().type(),
				"a factor without a type scales linearly, as in llama.cpp");
		assertEquals(0.5f, untyped.ropeFreqScale());
		rejected(new SyntheticModel("llama").put("llama.rope.scaling.type", GgufValue.string("longrope")),
				"RoPE scaling type 'longrope' is not supported (none, linear, yarn, llama3)");
	}

	@Test
	void yarnReadsFactorOriginalContextBetasAndAttentionFactor() throws IOException {
		ModelSpec spec = spec(new SyntheticModel("qwen2").put("qwen2.rope.scaling.type", GgufValue.string("yarn"))
			.put("qwen2.rope.scaling.factor", GgufValue.float32(4f))
			.put("qwen2.rope.scaling.original_context_length", GgufValue.uint32(32))
			.put("qwen2.rope.scaling.attn_factor", GgufValue.float32(0.9f)));
		assertEquals(new RopeScaling(RopeScaling.Type.YARN, 4f, 32, 32f, 1f, 0.9f), spec.ropeScaling());
		assertEquals(0.25f, spec.ropeFreqScale());
		ModelSpec defaults = spec(new SyntheticModel("qwen2").put("qwen2.rope.scaling.type", GgufValue.string("yarn"))
			.put("qwen2.rope.scaling.factor", GgufValue.float32(2f))
			.put("qwen2.rope.scaling.yarn_beta_fast", GgufValue.float32(16f)));
		assertEquals(new RopeScaling(RopeScaling.Type.YARN, 2f, 128, 16f, 1f, 1f), defaults.ropeScaling(),
				"without original_context_length the file's context is the original one, as in llama.cpp");
		rejected(
				new SyntheticModel("qwen2").put("qwen2.rope.scaling.type", GgufValue.string("yarn"))
					.put("qwen2.rope.scaling.yarn_log_multiplier", GgufValue.float32(0.1f)),
				"qwen2.rope.scaling.yarn_log_multiplier (DeepSeek's YaRN magnitude rule) is not supported");
	}

	@Test
	void llama3ScalingComesFromTheRopeFreqsTensor() throws IOException {
		ModelSpec spec = spec(new SyntheticModel("llama").add("rope_freqs.weight", GgmlType.F32, 8));
		assertEquals(RopeScaling.Type.LLAMA3, spec.ropeScaling().type());
		assertEquals(1f, spec.ropeFreqScale());
		assertTrue(spec.tensor("rope_freqs.weight").isPresent(), "the factors travel in the tensor table");
		rejected(new SyntheticModel("llama").add("rope_freqs.weight", GgmlType.F32, 16),
				"tensor 'rope_freqs.weight' has shape [16], expected [8]");
		rejected(new SyntheticModel("llama").add("rope_freqs.weight", GgmlType.F16, 8),
				"tensor 'rope_freqs.weight' has type F16, expected F32");
		rejected(new SyntheticModel("llama").put("llama.rope.scaling.type", GgufValue.string("llama3")),
				"RoPE scaling type 'llama3' needs the per-pair factors of the tensor 'rope_freqs.weight'");
	}

	@Test
	void contextLengthIsLoweredFreelyAndRaisedOnlyAsFarAsRopeScalingReaches() throws IOException {
		Path plain = new SyntheticModel("llama").write(dir.resolve("plain.gguf"));
		Path yarn = new SyntheticModel("llama").put("llama.rope.scaling.type", GgufValue.string("yarn"))
			.put("llama.rope.scaling.factor", GgufValue.float32(4f))
			.put("llama.rope.scaling.original_context_length", GgufValue.uint32(64))
			.write(dir.resolve("yarn.gguf"));
		try (GgufFile p = GgufFile.open(plain); GgufFile y = GgufFile.open(yarn)) {
			assertEquals(128, ModelSpec.from(p, 0).contextLength());
			assertEquals(48, ModelSpec.from(p, 48).contextLength());
			IllegalArgumentException more = assertThrows(IllegalArgumentException.class, () -> ModelSpec.from(p, 129));
			assertTrue(more.getMessage().contains("context length 129 is outside 1..128")
					&& more.getMessage().contains("no RoPE scaling"), more.getMessage());
			assertEquals(256, ModelSpec.from(y, 256).contextLength(), "yarn x4 of 64 reaches 256");
			IllegalArgumentException beyond = assertThrows(IllegalArgumentException.class,
					() -> ModelSpec.from(y, 257));
			assertTrue(beyond.getMessage().contains("outside 1..256") && beyond.getMessage().contains("yarn"),
					beyond.getMessage());
		}
	}

	@Test
	void qwen3HasQueryKeyNormsPerHeadAndNeoxRope() throws IOException {
		ModelSpec spec = spec(new SyntheticModel("qwen3"));
		assertEquals(Architecture.QWEN3, spec.architecture());
		assertEquals(RopeType.NEOX, spec.ropeType());
		assertEquals(FamilyParameters.NONE, spec.family());
		assertTrue(spec.layerTensor(1, "attn_k_norm.weight").isPresent());
		rejected(new SyntheticModel("qwen3").omit("blk.1.attn_q_norm.weight"),
				"missing required tensor 'blk.1.attn_q_norm.weight'");
		rejected(new SyntheticModel("qwen3").replace("blk.0.attn_k_norm.weight", GgmlType.F32, 64), "expected [16]");
	}

	@Test
	void gemma2TakesLlamaCppsDefaultsForWindowAndSoftCaps() throws IOException {
		ModelSpec spec = spec(new SyntheticModel("gemma2"));
		assertEquals(Architecture.GEMMA2, spec.architecture());
		assertEquals(RopeType.NEOX, spec.ropeType());
		assertEquals(new FamilyParameters(0.25f, 50f, 30f, 8f, 4096, 2, 0, 0), spec.family());
		assertTrue(spec.family().layerSlides(0));
		assertFalse(spec.family().layerSlides(1));
		rejected(new SyntheticModel("gemma2").omit("blk.0.post_ffw_norm.weight"),
				"missing required tensor 'blk.0.post_ffw_norm.weight'");

		ModelSpec written = spec(
				new SyntheticModel("gemma2").put("gemma2.attention.sliding_window", GgufValue.uint32(256))
					.put("gemma2.attn_logit_softcapping", GgufValue.float32(20f))
					.put("gemma2.final_logit_softcapping", GgufValue.float32(15f)));
		assertEquals(new FamilyParameters(0.25f, 20f, 15f, 8f, 256, 2, 0, 0), written.family());
		rejected(new SyntheticModel("gemma2").put("gemma2.attn_logit_softcapping", GgufValue.float32(-1f)),
				"gemma2.attn_logit_softcapping = -1.0 is not a positive finite number");
	}

	@Test
	void gemma3SlidesFiveLayersOfSixWithTheirOwnRopeBase() throws IOException {
		ModelSpec spec = spec(new SyntheticModel("gemma3").put("gemma3.attention.sliding_window", GgufValue.uint32(512))
			.put("gemma3.rope.freq_base", GgufValue.float32(1e6f))
			.put("gemma3.rope.scaling.type", GgufValue.string("linear"))
			.put("gemma3.rope.scaling.factor", GgufValue.float32(8f)));
		assertEquals(Architecture.GEMMA3, spec.architecture());
		assertEquals(new FamilyParameters(0.25f, 0, 0, 8f, 512, 6, 10000f, 1f), spec.family());
		assertEquals(1e6f, spec.ropeTheta());
		assertEquals(0.125f, spec.ropeFreqScale());
		for (int layer = 0; layer < 12; layer++) {
			assertEquals(layer % 6 != 5, spec.family().layerSlides(layer), "layer " + layer);
		}
		assertFalse(spec(new SyntheticModel("gemma3")).family().layerSlides(0), "no window in the file: all global");
		rejected(new SyntheticModel("gemma3").omit("blk.1.attn_k_norm.weight"),
				"missing required tensor 'blk.1.attn_k_norm.weight'");
	}

	@Test
	void phi3ReadsFusedProjectionsPartialRotaryAndLongRope() throws IOException {
		ModelSpec spec = spec(new SyntheticModel("phi3").put("phi3.rope.dimension_count", GgufValue.uint32(12))
			.put("phi3.rope.scaling.original_context_length", GgufValue.uint32(64))
			.put("phi3.rope.scaling.attn_factor", GgufValue.float32(1.1f))
			.put("phi3.attention.sliding_window", GgufValue.uint32(0))
			.add("rope_factors_long.weight", GgmlType.F32, 6)
			.add("rope_factors_short.weight", GgmlType.F32, 6));
		assertEquals(Architecture.PHI3, spec.architecture());
		assertEquals(RopeType.NEOX, spec.ropeType());
		assertEquals(12, spec.ropeDimensions());
		assertEquals(new RopeScaling(RopeScaling.Type.LONGROPE, 1f, 64, 32f, 1f, 1.1f), spec.ropeScaling());
		assertEquals(FamilyParameters.NONE, spec.family(), "the converter's sliding_window 0 means none");
		assertTrue(spec.layerTensor(1, "attn_qkv.weight").isPresent()
				&& spec.tensor("rope_factors_short.weight").isPresent());
		assertEquals(2048,
				spec(new SyntheticModel("phi3").put("phi3.attention.sliding_window", GgufValue.uint32(2048))).family()
					.slidingWindow(),
				"a window in the file slides every layer");
		rejected(new SyntheticModel("phi3").replace("blk.0.ffn_up.weight", GgmlType.F16, 64, 96),
				"tensor 'blk.0.ffn_up.weight' has shape [64, 96], expected [64, 192]");
		rejected(
				new SyntheticModel("phi3").put("phi3.rope.scaling.original_context_length", GgufValue.uint32(64))
					.add("rope_factors_long.weight", GgmlType.F32, 8),
				"missing required tensor 'rope_factors_short.weight'");
		rejected(new SyntheticModel("phi3").add("rope_factors_long.weight", GgmlType.F32, 8)
			.add("rope_factors_short.weight", GgmlType.F32, 8), "phi3.rope.scaling.original_context_length");
		ModelSpec separate = spec(new SyntheticModel("phi3").omit("blk.0.attn_qkv.weight")
			.omit("blk.1.attn_qkv.weight")
			.add("blk.0.attn_q.weight", GgmlType.F16, 64, 64)
			.add("blk.0.attn_k.weight", GgmlType.F16, 64, 32)
			.add("blk.0.attn_v.weight", GgmlType.F16, 64, 32)
			.add("blk.1.attn_q.weight", GgmlType.F16, 64, 64)
			.add("blk.1.attn_k.weight", GgmlType.F16, 64, 32)
			.add("blk.1.attn_v.weight", GgmlType.F16, 64, 32));
		assertTrue(separate.layerTensor(0, "attn_k.weight").isPresent(), "q, k and v may come as three tensors");
	}

	@Test
	void mixturesOfExpertsReadTheRouterAndStackedExperts() throws IOException {
		ModelSpec mixtral = spec(new SyntheticModel("llama").withExperts(4, 2));
		assertEquals(new Experts(4, 2, 96), mixtral.experts(), "a llama's experts are feed_forward_length wide");
		assertTrue(mixtral.layerTensor(1, "ffn_down_exps.weight").isPresent());
		assertEquals(Experts.NONE, spec(new SyntheticModel("llama")).experts());
		ModelSpec qwen3moe = spec(new SyntheticModel("qwen3moe"));
		assertEquals(Architecture.QWEN3MOE, qwen3moe.architecture());
		assertEquals(new Experts(4, 2, 32), qwen3moe.experts());
		assertTrue(qwen3moe.layerTensor(0, "attn_q_norm.weight").isPresent(), "qwen3's attention");
		rejected(new SyntheticModel("qwen3moe").replace("blk.0.ffn_up_exps.weight", GgmlType.F16, 64, 32, 3),
				"tensor 'blk.0.ffn_up_exps.weight' has shape [64, 32, 3], expected [64, 32, 4]");
		rejected(new SyntheticModel("llama").withExperts(4, 5), "llama.expert_used_count = 5 exceeds the 4 experts");
		rejected(new SyntheticModel("qwen3moe").remove("qwen3moe.expert_count"),
				"qwen3moe needs qwen3moe.expert_count");
		rejected(new SyntheticModel("qwen2").put("qwen2.expert_count", GgufValue.uint32(4)),
				"mixture-of-experts qwen2 files are not supported (experts: llama, qwen3moe)");
	}

	@Test
	void aLlamaFileWithASlidingWindowSlidesInEveryLayer() throws IOException {
		ModelSpec spec = spec(
				new SyntheticModel("llama").put("llama.attention.sliding_window", GgufValue.uint32(4096)));
		assertEquals(new FamilyParameters(0, 0, 0, 0, 4096, 0, 0, 0), spec.family());
		assertTrue(spec.family().layerSlides(0) && spec.family().layerSlides(1));
		assertEquals(FamilyParameters.NONE, spec(new SyntheticModel("llama")).family());
	}

	@Test
	void vocabularySizeFallsBackToTheArchitectureKey() throws IOException {
		SyntheticModel model = new SyntheticModel("llama").remove("tokenizer.ggml.tokens")
			.put("llama.vocab_size", GgufValue.uint32(20));
		assertEquals(20, spec(model).vocabSize());
		rejected(new SyntheticModel("llama").remove("tokenizer.ggml.tokens"),
				"missing metadata key 'llama.vocab_size'");
	}

	@Test
	void missingRequiredTensorsAreNamed() throws IOException {
		rejected(new SyntheticModel("llama").omit("blk.1.ffn_up.weight"),
				"missing required tensor 'blk.1.ffn_up.weight'");
		rejected(new SyntheticModel("llama").omit("token_embd.weight"), "missing required tensor 'token_embd.weight'");
		rejected(new SyntheticModel("qwen2").omit("blk.0.attn_v.bias"), "missing required tensor 'blk.0.attn_v.bias'");
	}

	@Test
	void wrongShapesAreNamedWithTheExpectedShape() throws IOException {
		GgufFormatException e = rejected(
				new SyntheticModel("llama").replace("blk.0.attn_k.weight", GgmlType.F16, 64, 64),
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
		rejected(new SyntheticModel("llama").replace("blk.0.ffn_gate.weight", GgmlType.MXFP4, 64, 96),
				"tensor 'blk.0.ffn_gate.weight' has type MXFP4, which the engine does not support (supported: F32, F16,"
						+ " Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS, BF16, NF4)");
		rejected(new SyntheticModel("llama").replace("blk.0.ffn_norm.weight", GgmlType.F16, 64),
				"tensor 'blk.0.ffn_norm.weight' has type F16, expected F32");
	}

	@Test
	void bertNeedsAPoolingTypeLlcudaRuns() throws IOException {
		SyntheticModel bert = new SyntheticModel("bert").put("bert.attention.layer_norm_epsilon",
				GgufValue.float32(1e-12f));
		rejected(bert, "missing metadata key 'bert.pooling_type'");
		rejected(bert.put("bert.pooling_type", GgufValue.uint32(4)),
				"bert.pooling_type = 4 is not supported (1 mean, 2 CLS, 3 last)");
		rejected(bert.put("bert.pooling_type", GgufValue.uint32(2)), "missing required tensor 'position_embd.weight'");
	}

	@Test
	void badHyperParametersAreNamed() throws IOException {
		rejected(new SyntheticModel("gpt2"),
				"architecture 'gpt2' is not supported (supported: llama, qwen2, qwen3, gemma2, gemma3, bert, nomic-bert, phi3, qwen3moe)");
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
