package dev.llcuda.bnb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * bitsandbytes NF4 weights (synthetic, random) converted to llcuda's NF4 blocks and
 * dequantized by the native library equal bitsandbytes' float32 dequantization, written
 * here from its definition, bit for bit.
 */
class BnbNf4Tests {

	/** The NF4 code book as QLoRA and bitsandbytes publish it. */
	private static final double[] PUBLISHED = { -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
			-0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534,
			0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
			0.7229568362236023, 1.0 };

	private static final String W = "model.layers.0.mlp.down_proj.weight";

	private static NativeLibrary library;

	private final Random random = new Random();

	@BeforeAll
	static void load() {
		library = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties());
	}

	/**
	 * A random bitsandbytes NF4 weight: its tensors by name and its float32
	 * dequantization.
	 */
	private final class Checkpoint {

		final Map<String, ByteBuffer> tensors = new HashMap<>();

		final float[] expected;

		Checkpoint(int rows, int cols, int blockSize, int nestedBlockSize) {
			int n = rows * cols;
			int blocks = (n + blockSize - 1) / blockSize;
			byte[] packed = new byte[(n + 1) / 2];
			random.nextBytes(packed);
			tensors.put(W, ByteBuffer.wrap(packed));
			tensors.put(W + ".quant_map", floats(bookFloats()));
			float[] absmax = new float[blocks];
			String nested = "";
			if (nestedBlockSize == 0) {
				for (int i = 0; i < blocks; i++) {
					absmax[i] = random.nextFloat() * 0.2f;
				}
				tensors.put(W + ".absmax", floats(absmax));
			}
			else {
				byte[] codes = new byte[blocks];
				random.nextBytes(codes);
				float[] codeMap = new float[256];
				float[] nestedAbsmax = new float[(blocks + nestedBlockSize - 1) / nestedBlockSize];
				for (int i = 0; i < 256; i++) {
					codeMap[i] = (float) random.nextGaussian() * 0.5f;
				}
				for (int i = 0; i < nestedAbsmax.length; i++) {
					nestedAbsmax[i] = random.nextFloat() * 0.1f;
				}
				float offset = random.nextFloat() * 0.05f;
				for (int i = 0; i < blocks; i++) {
					float scaled = codeMap[codes[i] & 0xFF] * nestedAbsmax[i / nestedBlockSize]; // dequantize_blockwise
					absmax[i] = scaled + offset; // absmax += offset
				}
				tensors.put(W + ".absmax", ByteBuffer.wrap(codes));
				tensors.put(W + ".nested_absmax", floats(nestedAbsmax));
				tensors.put(W + ".nested_quant_map", floats(codeMap));
				nested = ", \"nested_blocksize\": " + nestedBlockSize + ", \"nested_offset\": " + (double) offset
						+ ", \"nested_dtype\": \"float32\"";
			}
			state("{\"quant_type\": \"nf4\", \"blocksize\": " + blockSize + ", \"dtype\": \"bfloat16\", \"shape\": ["
					+ rows + ", " + cols + "]" + nested + "}");
			expected = new float[n];
			for (int e = 0; e < n; e++) {
				int b = packed[e / 2] & 0xFF;
				int code = e % 2 == 0 ? b >>> 4 : b & 0xF;
				expected[e] = (float) PUBLISHED[code] * absmax[e / blockSize];
			}
		}

		void state(String json) {
			tensors.put(W + ".quant_state.bitsandbytes__nf4", ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
		}

		BnbNf4.Nf4Weight convert() {
			return BnbNf4.convert(W, name -> {
				ByteBuffer b = tensors.get(name);
				return b == null ? null : b.duplicate();
			});
		}

	}

	private static float[] bookFloats() {
		float[] book = new float[16];
		for (int q = 0; q < 16; q++) {
			book[q] = (float) PUBLISHED[q];
		}
		return book;
	}

	private static ByteBuffer floats(float[] values) {
		ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
		for (float v : values) {
			b.putFloat(v);
		}
		return b.flip();
	}

	private static void assertBitExact(float[] expected, float[] got) {
		assertEquals(expected.length, got.length);
		for (int i = 0; i < expected.length; i++) {
			int e = i;
			assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]),
					() -> "element " + e + ": bitsandbytes " + expected[e] + ", llcuda " + got[e]);
		}
	}

	@Test
	void doubleQuantizedWeightsDequantizeExactlyAsBitsandbytes() {
		for (int trial = 0; trial < 5; trial++) {
			Checkpoint c = new Checkpoint(1 + random.nextInt(12), 64 * (1 + random.nextInt(20)), 64,
					1 + random.nextInt(8));
			BnbNf4.Nf4Weight w = c.convert();

			assertEquals(GgmlType.NF4.byteSize((long) c.expected.length), w.blocks().length);
			assertBitExact(c.expected, library.dequantize(GgmlType.NF4.id(), w.blocks(), c.expected.length));
		}
	}

	@Test
	void plainAbsmaxAndLargerBlocksDequantizeExactly() {
		Checkpoint c = new Checkpoint(5, 384, 128, 0);
		BnbNf4.Nf4Weight w = c.convert();

		assertEquals(5, w.rows());
		assertEquals(384, w.cols());
		assertBitExact(c.expected, library.dequantize(GgmlType.NF4.id(), w.blocks(), c.expected.length));
	}

	@Test
	void theEngineCodeBookIsThePublishedOne() {
		// one block per code: d = 1 and every element the code q
		byte[] blocks = new byte[16 * 36];
		ByteBuffer b = ByteBuffer.wrap(blocks).order(ByteOrder.LITTLE_ENDIAN);
		for (int q = 0; q < 16; q++) {
			b.putFloat(1.0f);
			for (int j = 0; j < 32; j++) {
				b.put((byte) (q | q << 4));
			}
		}
		float[] values = library.dequantize(GgmlType.NF4.id(), blocks, 16 * 64);
		for (int q = 0; q < 16; q++) {
			assertEquals(Float.floatToRawIntBits(BnbNf4.CODE_BOOK[q]), Float.floatToRawIntBits(values[64 * q + 63]),
					"code " + q);
			assertEquals((float) PUBLISHED[q], BnbNf4.CODE_BOOK[q]);
		}
	}

	@Test
	void quantizedWeightsAndTheirStateTensorsAreRecognisedByName() {
		Checkpoint c = new Checkpoint(1, 64, 64, 4);
		Set<String> names = c.tensors.keySet();

		assertTrue(BnbNf4.isQuantized(W, names));
		assertTrue(names.stream().filter(n -> !n.equals(W)).allMatch(BnbNf4::isQuantState), names.toString());
		assertTrue(!BnbNf4.isQuantState(W) && !BnbNf4.isQuantized("model.norm.weight", names));
	}

	private void refused(Checkpoint c, String message) {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::convert);
		assertTrue(e.getMessage().contains(W) && e.getMessage().contains(message), e.getMessage());
	}

	@Test
	void whatLlcudaCannotRepresentExactlyIsRefusedByName() {
		Checkpoint c = new Checkpoint(2, 128, 64, 4);
		c.state("{\"quant_type\": \"fp4\", \"blocksize\": 64, \"shape\": [2, 128]}");
		refused(c, "quant_type fp4, not nf4");
		c.state("{\"quant_type\": \"nf4\", \"blocksize\": 32, \"shape\": [2, 128]}");
		refused(c, "blocksize 32, not a multiple of 64");
		c.state("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"shape\": [4, 64], \"nested_blocksize\": 4,"
				+ " \"nested_offset\": 0.0, \"nested_dtype\": \"float32\", \"new_field\": 1}");
		refused(c, "fields llcuda does not know: [new_field]");
		c.state("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"shape\": [8, 32], \"nested_blocksize\": 4,"
				+ " \"nested_offset\": 0.0, \"nested_dtype\": \"float32\"}");
		refused(c, "rows of 32 elements, not a multiple of 64");
		c.state("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"shape\": [4, 128], \"nested_blocksize\": 4,"
				+ " \"nested_offset\": 0.0, \"nested_dtype\": \"float32\"}");
		refused(c, "tensor '" + W + "' has 128 bytes, expected 256");
		c.state("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"shape\": [2, 128], \"nested_blocksize\": 4,"
				+ " \"nested_offset\": 0.0, \"nested_dtype\": \"float32\"}");
		c.convert();
		c.tensors.put(W + ".quant_map", floats(new float[16]));
		refused(c, "quant_map[0] is 0.0, not the NF4 code book's -1.0");

		Checkpoint missing = new Checkpoint(2, 128, 64, 4);
		missing.tensors.remove(W + ".nested_absmax");
		refused(missing, "tensor '" + W + ".nested_absmax' is missing");

		Checkpoint fp4 = new Checkpoint(2, 128, 64, 0);
		fp4.tensors.put(W + ".quant_state.bitsandbytes__fp4", ByteBuffer.allocate(2));
		refused(fp4, "is bitsandbytes FP4, not NF4");
	}

}
