package dev.llcuda.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufMetadata;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.safetensors.SafetensorsCheckpoint;
import dev.llcuda.safetensors.SafetensorsTensor;
import dev.llcuda.safetensors.SafetensorsWriter;
import dev.llcuda.template.Json;
import dev.llcuda.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointConverterTests {

	private static final NativeLibrary LIBRARY = NativeLibrary
		.load(NativeLibraryOptions.defaults().withCacheDirectory(Path.of("target", "llcuda-cache")));

	private static final List<String> HYPER_PARAMETERS = List.of("context_length", "embedding_length", "block_count",
			"feed_forward_length", "attention.head_count", "attention.head_count_kv", "rope.freq_base",
			"attention.layer_norm_rms_epsilon");

	@TempDir
	Path dir;

	private final HfFixtures fixtures = new HfFixtures(LIBRARY);

	private final CheckpointConverter converter = new CheckpointConverter(LIBRARY);

	static Path model(String name) {
		return Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata")).resolve("models").resolve(name);
	}

	@ParameterizedTest
	@ValueSource(strings = { "micro-llama-f32", "micro-qwen2-f32" })
	void anF32CheckpointConvertsBackToTheOriginalFileBitForBit(String name) throws IOException {
		Path original = model(name + ".gguf");
		Path hf = fixtures.write(original, dir.resolve(name), GgmlType.F32, 1);
		Path converted = dir.resolve("converted.gguf");
		converter.convert(hf, converted, Optional.empty());
		try (GgufFile expected = GgufFile.open(original); GgufFile actual = GgufFile.open(converted)) {
			assertEquals(expected.tensors().size(), actual.tensors().size());
			for (TensorInfo e : expected.tensors()) {
				TensorInfo a = actual.tensor(e.name()).orElseThrow(() -> new AssertionError("no " + e.name()));
				assertEquals(e.type(), a.type(), e.name());
				assertArrayEquals(e.dims(), a.dims(), e.name());
				assertEquals(expected.tensorData(e), actual.tensorData(a), e.name() + " bytes differ");
			}
			GgufMetadata em = expected.metadata();
			GgufMetadata am = actual.metadata();
			String p = em.requireString("general.architecture") + ".";
			assertEquals(em.requireString("general.architecture"), am.requireString("general.architecture"));
			for (String key : HYPER_PARAMETERS) {
				assertEquals(em.get(p + key).display(1, 100), am.get(p + key).display(1, 100), key);
			}
			assertEquals(em.string("tokenizer.chat_template"), am.string("tokenizer.chat_template"));
			assertSameTokens(Tokenizer.fromGguf(em), Tokenizer.fromGguf(am));
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "F16", "BF16" })
	void halfPrecisionWeightsAreCopiedAsStoredAndVectorsBecomeF32(String dtype) throws IOException {
		GgmlType type = GgmlType.valueOf(dtype);
		Path hf = fixtures.write(model("micro-llama-f32.gguf"), dir.resolve("hf"), type, 1);
		Path converted = dir.resolve("converted.gguf");
		converter.convert(hf, converted, Optional.empty());
		try (GgufFile original = GgufFile.open(model("micro-llama-f32.gguf"));
				GgufFile actual = GgufFile.open(converted)) {
			assertEquals(dtype, actual.metadata().integer("general.file_type").orElseThrow() == 1 ? "F16" : "BF16");
			for (TensorInfo e : original.tensors()) {
				TensorInfo a = actual.tensor(e.name()).orElseThrow();
				GgmlType expectedType = e.rank() == 1 ? GgmlType.F32 : type;
				assertEquals(expectedType, a.type(), e.name());
				assertEquals(ByteBuffer.wrap(encode(floats(original, e), expectedType)), actual.tensorData(a),
						e.name());
			}
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "Q8_0", "Q4_K", "Q6_K", "F16" })
	void aRequestedTypeQuantizesEveryMatrixWithTheNativeQuantizer(String typeName) throws IOException {
		GgmlType type = CheckpointConverter.outputType(typeName.toLowerCase(java.util.Locale.ROOT));
		Path hf = fixtures.write(model("micro-llama-f32.gguf"), dir.resolve("hf"), GgmlType.F32, 1);
		Path converted = dir.resolve("converted.gguf");
		converter.convert(hf, converted, Optional.of(type));
		try (GgufFile original = GgufFile.open(model("micro-llama-f32.gguf"));
				GgufFile actual = GgufFile.open(converted)) {
			for (TensorInfo e : original.tensors()) {
				TensorInfo a = actual.tensor(e.name()).orElseThrow();
				GgmlType expectedType = e.rank() == 1 ? GgmlType.F32 : type;
				assertEquals(expectedType, a.type(), e.name());
				assertEquals(ByteBuffer.wrap(encode(floats(original, e), expectedType)), actual.tensorData(a),
						e.name());
			}
		}
	}

	@Test
	void q8ConversionEqualsLlamaQuantizesFileOfTheSameWeightsBitForBit() throws IOException {
		Path hf = fixtures.write(model("micro-llama-f32.gguf"), dir.resolve("hf"), GgmlType.F32, 1);
		converter.convert(hf, dir.resolve("q8.gguf"), Optional.of(GgmlType.Q8_0));
		try (GgufFile llamaCpp = GgufFile.open(model("micro-llama-Q8_0.gguf"));
				GgufFile ours = GgufFile.open(dir.resolve("q8.gguf"))) {
			List<String> differing = new ArrayList<>();
			for (TensorInfo e : llamaCpp.tensors()) {
				TensorInfo a = ours.tensor(e.name()).orElseThrow();
				assertEquals(e.type(), a.type(), e.name());
				if (!llamaCpp.tensorData(e).equals(ours.tensorData(a))) {
					differing.add(e.name());
				}
			}
			assertEquals(List.of(), differing);
		}
	}

	@Test
	void aShardedCheckpointConvertsToTheSameFileAsASingleOne() throws IOException {
		Path single = fixtures.write(model("micro-qwen2-f32.gguf"), dir.resolve("single"), GgmlType.BF16, 1);
		Path sharded = fixtures.write(model("micro-qwen2-f32.gguf"), dir.resolve("single-"), GgmlType.BF16, 3);
		assertTrue(Files.isRegularFile(sharded.resolve("model.safetensors.index.json")));
		converter.convert(single, dir.resolve("a.gguf"), Optional.of(GgmlType.Q8_0));
		converter.convert(sharded, dir.resolve("b.gguf"), Optional.of(GgmlType.Q8_0));
		try (GgufFile a = GgufFile.open(dir.resolve("a.gguf")); GgufFile b = GgufFile.open(dir.resolve("b.gguf"))) {
			for (TensorInfo t : a.tensors()) {
				assertEquals(a.tensorData(t), b.tensorData(b.tensor(t.name()).orElseThrow()), t.name());
			}
		}
	}

	@Test
	void llama3RopeScalingBecomesThePerPairFactorsOfRopeFreqs() throws IOException {
		Path hf = fixtures.write(model("micro-llama-f32.gguf"), dir.resolve("hf"), GgmlType.F32, 1);
		editConfig(hf, config -> config.put("rope_scaling", Map.of("rope_type", "llama3", "factor", 8.0,
				"low_freq_factor", 1.0, "high_freq_factor", 4.0, "original_max_position_embeddings", 64L)));
		converter.convert(hf, dir.resolve("c.gguf"), Optional.empty());
		try (GgufFile file = GgufFile.open(dir.resolve("c.gguf"))) {
			TensorInfo freqs = file.tensor("rope_freqs.weight").orElseThrow();
			int headSize = 64;
			assertArrayEquals(new long[] { headSize / 2 }, freqs.dims());
			ByteBuffer data = file.tensorData(freqs);
			boolean sawBlend = false;
			for (int i = 0; i < headSize / 2; i++) {
				double wavelength = 2 * Math.PI * Math.pow(10000.0, 2.0 * i / headSize);
				double expected = wavelength < 64 / 4.0 ? 1 : wavelength > 64 / 1.0 ? 8
						: 1 / ((1 - (64 / wavelength - 1) / 3) / 8 + (64 / wavelength - 1) / 3);
				sawBlend |= expected > 1 && expected < 8;
				assertEquals(expected, data.getFloat(4 * i), 1e-4 * expected, "pair " + i);
			}
			assertTrue(sawBlend);
		}
	}

	@Test
	void whatTheEngineDoesNotComputeIsRefusedNamingIt() throws IOException {
		Path hf = fixtures.write(model("micro-llama-f32.gguf"), dir.resolve("hf"), GgmlType.F32, 1);
		editConfig(hf, config -> config.put("architectures", List.of("GPTNeoXForCausalLM")));
		assertRefused(hf, "names GPTNeoXForCausalLM, which is not supported (supported: LlamaForCausalLM");
		editConfig(hf, config -> config.put("architectures", List.of("LlamaForCausalLM")));
		editConfig(hf, config -> config.put("rope_scaling", Map.of("type", "longrope", "factor", 4.0)));
		assertRefused(hf, "'rope_type' is 'longrope', which is not supported");
		editConfig(hf, config -> config.remove("rope_scaling"));
		editConfig(hf, config -> config.put("hidden_act", "gelu"));
		assertRefused(hf, "'hidden_act' is 'gelu'");
		editConfig(hf, config -> config.put("hidden_act", "silu"));
		editConfig(hf, config -> config.put("attention_bias", true));
		assertRefused(hf, "'attention_bias' is true");
		editConfig(hf, config -> config.remove("attention_bias"));
		assertFalse(Files.list(dir).anyMatch(p -> p.getFileName().toString().endsWith(".part")));

		rewrite(hf.resolve("model.safetensors"), "model.layers.0.mlp.experts.0.weight", "F32");
		assertRefused(hf,
				"model.safetensors: tensor 'model.layers.0.mlp.experts.0.weight' is not a weight of LlamaForCausalLM");
		Files.delete(hf.resolve("tokenizer.json"));
		assertRefused(hf, "has no tokenizer.json");
	}

	@Test
	void integerWeightsAreRefusedNamingTheTensor() throws IOException {
		Path hf = fixtures.write(model("micro-llama-f32.gguf"), dir.resolve("hf"), GgmlType.F32, 1);
		rewrite(hf.resolve("model.safetensors"), "model.norm.weight", "I32");
		assertRefused(hf,
				"model.safetensors: tensor 'model.norm.weight' has dtype I32; weights must be F32, F16 or BF16");
	}

	@Test
	void theCacheConvertsADirectoryOnceAndAgainWhenItChanges() throws IOException {
		Path hf = fixtures.write(model("micro-llama-f32.gguf"), dir.resolve("hf"), GgmlType.F16, 1);
		ConvertedModelCache cache = new ConvertedModelCache(dir.resolve("cache"), converter);
		Path first = cache.resolve(hf, Optional.of(GgmlType.Q8_0));
		FileTime written = Files.getLastModifiedTime(first);
		assertTrue(first.getFileName().toString().startsWith("hf-Q8_0-"), first.toString());
		assertEquals(first, cache.resolve(hf, Optional.of(GgmlType.Q8_0)));
		assertEquals(written, Files.getLastModifiedTime(first));
		Path asStored = cache.resolve(hf, Optional.empty());
		assertNotEquals(first, asStored);
		Files.setLastModifiedTime(hf.resolve("config.json"), FileTime.fromMillis(written.toMillis() + 5000));
		Path changed = cache.resolve(hf, Optional.of(GgmlType.Q8_0));
		assertNotEquals(first, changed);
		assertTrue(Files.isRegularFile(changed));
		Path gguf = model("micro-llama-f32.gguf");
		assertEquals(gguf, cache.resolve(gguf, Optional.of(GgmlType.Q8_0)));
	}

	@Test
	void outputTypesAreNamedCaseInsensitivelyAndOthersRefusedWithTheList() {
		assertEquals(GgmlType.Q4_K, CheckpointConverter.outputType("q4_k"));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
				() -> CheckpointConverter.outputType("Q4_K_M"));
		assertTrue(e.getMessage().contains("'Q4_K_M' is not a conversion type (one of F32, F16, BF16, Q8_0"),
				e.getMessage());
	}

	private void assertRefused(Path hf, String expected) {
		IOException e = assertThrows(IOException.class,
				() -> converter.convert(hf, dir.resolve("o.gguf"), Optional.empty()));
		assertTrue(e.getMessage().contains(expected), e.getMessage() + " lacks: " + expected);
		assertFalse(Files.exists(dir.resolve("o.gguf")));
	}

	/**
	 * Rewrites {@code file} with {@code model.norm.weight} renamed to {@code name} and
	 * stored as {@code dtype}.
	 */
	private static void rewrite(Path file, String name, String dtype) throws IOException {
		SafetensorsWriter rewritten = new SafetensorsWriter();
		try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(file)) {
			for (SafetensorsTensor t : checkpoint.tensors()) {
				byte[] bytes = new byte[(int) t.byteSize()];
				checkpoint.bytes(t).get(bytes);
				boolean changed = t.name().equals("model.norm.weight");
				rewritten.add(changed ? name : t.name(), changed ? dtype : t.dtype().name(), t.shape(), bytes);
			}
		}
		rewritten.write(file);
	}

	@SuppressWarnings("unchecked")
	private static void editConfig(Path hf, java.util.function.Consumer<Map<String, Object>> edit) throws IOException {
		Path file = hf.resolve("config.json");
		Map<String, Object> config = new LinkedHashMap<>(
				(Map<String, Object>) Json.parse(Files.readString(file), "config"));
		edit.accept(config);
		Files.writeString(file, Json.write(config));
	}

	/**
	 * The prompts tokenize alike. (The micro models' vocabulary is the first 512 pieces
	 * of Llama 2's, so some pieces lost the merges that reach them; HfTokenizerTests
	 * checks whole vocabularies on every test string.)
	 */
	private static void assertSameTokens(Tokenizer expected, Tokenizer actual) throws IOException {
		for (String text : Files.readAllLines(model("prompts.txt"))) {
			assertArrayEquals(expected.encode(text, true, false), actual.encode(text, true, false), text);
		}
	}

	private static float[] floats(GgufFile file, TensorInfo t) {
		float[] values = new float[(int) t.elementCount()];
		file.tensorData(t).asFloatBuffer().get(values);
		return values;
	}

	private static byte[] encode(float[] values, GgmlType type) {
		if (type == GgmlType.F32) {
			ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
			bytes.asFloatBuffer().put(values);
			return bytes.array();
		}
		byte[] out = new byte[(int) type.byteSize(values.length)];
		LIBRARY.quantize(type.id(), values, out);
		return out;
	}

}
