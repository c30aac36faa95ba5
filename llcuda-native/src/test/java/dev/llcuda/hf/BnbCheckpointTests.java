package dev.llcuda.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.model.FileType;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bitsandbytes 4-bit checkpoints (written by {@link BnbFixtures} from a micro model)
 * converted: the NF4 weights become NF4 tensors whose dequantization equals bitsandbytes'
 * float32 dequantization bit for bit (q/k rows in GGUF's order), the unquantized tensors
 * are kept as stored, another requested type quantizes the exact float32 values, and what
 * llcuda cannot read is refused naming the field.
 */
class BnbCheckpointTests {

	private static final NativeLibrary LIBRARY = NativeLibrary
		.load(NativeLibraryOptions.defaults().withCacheDirectory(Path.of("target", "llcuda-cache")));

	private static final String DOWN = "model.layers.0.mlp.down_proj.weight";

	@TempDir
	Path dir;

	private final BnbFixtures fixtures = new BnbFixtures(LIBRARY);

	private final CheckpointConverter converter = new CheckpointConverter(LIBRARY);

	@ParameterizedTest(name = "double quantization {0}")
	@ValueSource(booleans = { true, false })
	void nf4WeightsStayNf4AndDequantizeToBitsandbytesValuesExactly(boolean doubleQuant) throws IOException {
		Path original = CheckpointConverterTests.model("micro-llama-f32.gguf");
		BnbFixtures.Checkpoint bnb = fixtures.write(original, dir.resolve("bnb"), doubleQuant);
		Path converted = dir.resolve("nf4.gguf");
		converter.convert(bnb.dir(), converted, Optional.empty());
		try (GgufFile expected = GgufFile.open(original); GgufFile actual = GgufFile.open(converted)) {
			assertEquals(FileType.NF4.id(), actual.metadata().integer(FileType.KEY).orElseThrow());
			assertEquals(expected.tensors().size(), actual.tensors().size());
			int quantized = 0;
			for (TensorInfo e : expected.tensors()) {
				TensorInfo a = actual.tensor(e.name()).orElseThrow(() -> new AssertionError("no " + e.name()));
				assertArrayEquals(e.dims(), a.dims(), e.name());
				float[] bnbValues = bnb.dequantized().get(HfFixtures.hfName(e.name()));
				if (bnbValues == null) {
					assertEquals(GgmlType.F32, a.type(), e.name());
					assertEquals(expected.tensorData(e), actual.tensorData(a), e.name() + " is not kept as stored");
					continue;
				}
				quantized++;
				assertEquals(GgmlType.NF4, a.type(), e.name());
				assertArrayEquals(bnbValues, hfOrder(e.name(), dequantize(actual, a), a), e.name());
			}
			assertEquals(14, quantized);
		}
	}

	@Test
	void anotherRequestedTypeQuantizesTheExactFloat32Values() throws IOException {
		BnbFixtures.Checkpoint bnb = fixtures.write(CheckpointConverterTests.model("micro-llama-f32.gguf"),
				dir.resolve("bnb"), true);
		Path nf4 = dir.resolve("nf4.gguf");
		Path q8 = dir.resolve("q8.gguf");
		converter.convert(bnb.dir(), nf4, Optional.empty());
		converter.convert(bnb.dir(), q8, Optional.of(GgmlType.Q8_0));
		try (GgufFile exact = GgufFile.open(nf4); GgufFile actual = GgufFile.open(q8)) {
			assertEquals(FileType.Q8_0.id(), actual.metadata().integer(FileType.KEY).orElseThrow());
			for (TensorInfo e : exact.tensors()) {
				TensorInfo a = actual.tensor(e.name()).orElseThrow();
				if (e.type() != GgmlType.NF4) {
					continue;
				}
				assertEquals(GgmlType.Q8_0, a.type(), e.name());
				byte[] expected = new byte[(int) GgmlType.Q8_0.byteSize(e.elementCount())];
				LIBRARY.quantize(GgmlType.Q8_0.id(), dequantize(exact, e), expected);
				assertEquals(ByteBuffer.wrap(expected), actual.tensorData(a), e.name());
			}
		}
	}

	@Test
	void whatLlcudaCannotReadIsRefusedNamingTheField() throws IOException {
		Path micro = CheckpointConverterTests.model("micro-llama-f32.gguf");
		Path fp4 = fixtures.write(micro, dir.resolve("fp4"), true).dir();
		BnbFixtures.editConfig(fp4, c -> quantization(c).put("bnb_4bit_quant_type", "fp4"));
		assertRefused(fp4, "'bnb_4bit_quant_type' is 'fp4'; llcuda runs NF4 only");

		Path eightBit = fixtures.write(micro, dir.resolve("8bit"), true).dir();
		BnbFixtures.editConfig(eightBit, c -> quantization(c).put("load_in_8bit", true));
		assertRefused(eightBit, "'load_in_8bit' is true");

		Path unknownSetting = fixtures.write(micro, dir.resolve("setting"), true).dir();
		BnbFixtures.editConfig(unknownSetting, c -> quantization(c).put("bnb_4bit_future", 1L));
		assertRefused(unknownSetting, "unknown: [bnb_4bit_future]");

		Path noConfig = fixtures.write(micro, dir.resolve("noconfig"), false).dir();
		BnbFixtures.editConfig(noConfig, c -> c.remove("quantization_config"));
		assertRefused(noConfig, "is bitsandbytes 4-bit but config.json has no bitsandbytes quantization_config");

		Path blockSize = fixtures.write(micro, dir.resolve("blocksize"), false).dir();
		BnbFixtures.editState(blockSize, DOWN, s -> s.put("blocksize", 96L));
		assertRefused(blockSize, "'" + DOWN + "' has blocksize 96, not a multiple of 64");

		Path unknownState = fixtures.write(micro, dir.resolve("state"), true).dir();
		BnbFixtures.editState(unknownState, DOWN, s -> s.put("quant_storage", "uint8"));
		assertRefused(unknownState, "quant state fields llcuda does not know: [quant_storage]");

		Path fp4State = fixtures.write(micro, dir.resolve("fp4state"), false).dir();
		BnbFixtures.editState(fp4State, DOWN, s -> s.put("quant_type", "fp4"));
		assertRefused(fp4State, "'" + DOWN + "' has quant_type fp4, not nf4");

		Path stray = fixtures.write(micro, dir.resolve("stray"), false).dir();
		BnbFixtures.replace(stray, "model.norm.weight.absmax", "F32", new long[] { 1 }, new byte[4]);
		assertRefused(stray,
				"tensor 'model.norm.weight.absmax' is bitsandbytes quantization state of 'model.norm.weight'");
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> quantization(Map<String, Object> config) {
		return (Map<String, Object>) config.get("quantization_config");
	}

	private void assertRefused(Path hf, String expected) {
		IOException e = assertThrows(IOException.class,
				() -> converter.convert(hf, dir.resolve("o.gguf"), Optional.empty()));
		assertTrue(e.getMessage().contains(expected), e.getMessage() + " lacks: " + expected);
		assertFalse(Files.exists(dir.resolve("o.gguf")));
	}

	private static float[] dequantize(GgufFile file, TensorInfo t) {
		byte[] bytes = new byte[(int) t.byteSize()];
		file.tensorData(t).get(bytes);
		return LIBRARY.dequantize(t.type().id(), bytes, (int) t.elementCount());
	}

	/** A GGUF tensor's values in HF's row order (llama's q/k permutation undone). */
	private static float[] hfOrder(String name, float[] values, TensorInfo t) {
		int heads = name.endsWith("attn_q.weight") ? 4 : name.endsWith("attn_k.weight") ? 2 : 0;
		return heads == 0 ? values : HfFixtures.halfSplit(values, (int) t.dim(1), (int) t.dim(0), heads);
	}

}
