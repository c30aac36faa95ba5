package dev.llcuda.bnb;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.template.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One bitsandbytes NF4 weight of a checkpoint converted to llcuda's {@link GgmlType#NF4}
 * blocks.
 *
 * <p>
 * bitsandbytes stores a weight {@code W} ({@code [rows, cols]}, flattened row-major) as
 * {@code W} itself (uint8, two codes a byte, the even element in the high nibble) and,
 * beside it, {@code W.absmax} (one scale per block of {@code blocksize} elements),
 * {@code W.quant_map} (the 16 code values) and {@code W.quant_state.bitsandbytes__nf4}
 * (JSON: {@code quant_type}, {@code blocksize}, {@code shape}, {@code dtype}). With
 * double quantization the absmax is itself quantized: uint8 codes into
 * {@code W.nested_quant_map} (256 floats), times {@code W.nested_absmax} (float32, one
 * per {@code nested_blocksize} scales), plus {@code nested_offset}. Element {@code e} is
 * {@code quant_map[code(e)] * absmax[e / blocksize]} in float32, with a nested absmax
 * {@code (nested_quant_map[a] * nested_absmax[i / nested_blocksize])
 * + nested_offset} in float32 first (bitsandbytes' own order of operations).
 *
 * <p>
 * The result keeps every code and carries the float32 scale per 64 elements, so llcuda's
 * dequantization of it equals bitsandbytes' float32 dequantization bit for bit. Anything
 * else (FP4, another code book, a block size that is not a multiple of 64, rows that are
 * not whole blocks, sizes that do not match) is refused with an
 * {@link IllegalArgumentException} naming the weight and the field.
 */
public final class BnbNf4 {

	/** bitsandbytes' NF4 code book, as published (float32 values). */
	static final float[] CODE_BOOK = { -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
			-0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f, 0.07958029955625534f,
			0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f, 0.44070982933044434f, 0.5626170039176941f,
			0.7229568362236023f, 1.0f };

	/**
	 * The name suffixes bitsandbytes gives a 4-bit weight's quantization-state tensors.
	 */
	public static final String ABSMAX = ".absmax";

	public static final String QUANT_MAP = ".quant_map";

	public static final String NESTED_ABSMAX = ".nested_absmax";

	public static final String NESTED_QUANT_MAP = ".nested_quant_map";

	public static final String QUANT_STATE_NF4 = ".quant_state.bitsandbytes__nf4";

	private static final String QUANT_STATE_FP4 = ".quant_state.bitsandbytes__fp4";

	private static final int BLOCK = 64;

	private static final int NF4_BLOCK_BYTES = 36;

	private BnbNf4() {
	}

	/**
	 * A converted weight: {@code rows x cols} elements as {@link GgmlType#NF4} rows (GGUF
	 * dims {@code [cols, rows]}).
	 */
	public record Nf4Weight(long rows, long cols, byte[] blocks) {
	}

	/**
	 * Whether the checkpoint tensor {@code name} is a bitsandbytes 4-bit weight (it has a
	 * quant-state tensor beside it); {@code names} are all tensor names of the
	 * checkpoint.
	 */
	public static boolean isQuantized(String name, Set<String> names) {
		return names.contains(name + QUANT_STATE_NF4) || names.contains(name + QUANT_STATE_FP4);
	}

	/**
	 * Whether {@code name} is one of the quantization-state tensors that belong to
	 * another weight.
	 */
	public static boolean isQuantState(String name) {
		return name.endsWith(ABSMAX) || name.endsWith(QUANT_MAP) || name.endsWith(NESTED_ABSMAX)
				|| name.endsWith(NESTED_QUANT_MAP) || name.contains(".quant_state.bitsandbytes__");
	}

	/**
	 * Converts the weight {@code name}; {@code tensor} gives the raw bytes
	 * (little-endian, as stored) of a checkpoint tensor by name, or null when there is
	 * none.
	 */
	public static Nf4Weight convert(String name, Function<String, @Nullable ByteBuffer> tensor) {
		if (tensor.apply(name + QUANT_STATE_FP4) != null) {
			throw refused(name, "is bitsandbytes FP4, not NF4 (llcuda runs NF4 only)");
		}
		QuantState state = QuantState.parse(name, required(name, QUANT_STATE_NF4, tensor));
		long n = state.rows * state.cols;
		checkSize(name, "", required(name, "", tensor), (n + 1) / 2);
		float[] codeBook = floats(name, QUANT_MAP, required(name, QUANT_MAP, tensor), 16);
		for (int q = 0; q < 16; q++) {
			if (Float.floatToRawIntBits(codeBook[q]) != Float.floatToRawIntBits(CODE_BOOK[q])) {
				throw refused(name, QUANT_MAP.substring(1) + "[" + q + "] is " + codeBook[q]
						+ ", not the NF4 code book's " + CODE_BOOK[q]);
			}
		}
		float[] absmax = absmax(name, state, (n + state.blockSize - 1) / state.blockSize, tensor);
		return new Nf4Weight(state.rows, state.cols, blocks(required(name, "", tensor), absmax, state.blockSize, n));
	}

	/**
	 * The float32 scale of every bitsandbytes block, the double quantization undone as
	 * bitsandbytes does.
	 */
	private static float[] absmax(String name, QuantState state, long blocks,
			Function<String, @Nullable ByteBuffer> tensor) {
		ByteBuffer stored = required(name, ABSMAX, tensor);
		if (state.nestedBlockSize == 0) {
			if (tensor.apply(name + NESTED_ABSMAX) != null) {
				throw refused(name,
						"has " + NESTED_ABSMAX.substring(1) + " but its quant state names no nested_blocksize");
			}
			return floats(name, ABSMAX, stored, blocks);
		}
		checkSize(name, ABSMAX, stored, blocks);
		float[] nestedCodes = floats(name, NESTED_QUANT_MAP, required(name, NESTED_QUANT_MAP, tensor), 256);
		float[] nestedAbsmax = floats(name, NESTED_ABSMAX, required(name, NESTED_ABSMAX, tensor),
				(blocks + state.nestedBlockSize - 1) / state.nestedBlockSize);
		float[] out = new float[(int) blocks];
		for (int i = 0; i < out.length; i++) {
			float scaled = nestedCodes[stored.get(stored.position() + i) & 0xFF]
					* nestedAbsmax[i / state.nestedBlockSize];
			out[i] = scaled + state.nestedOffset;
		}
		return out;
	}

	/**
	 * Regroups the codes of each 64 elements into an NF4 block (ggml_blocks.h: BlockNF4)
	 * with its scale.
	 */
	private static byte[] blocks(ByteBuffer packed, float[] absmax, int blockSize, long n) {
		int blocks = (int) (n / BLOCK);
		ByteBuffer out = ByteBuffer.allocate(blocks * NF4_BLOCK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
		int base = packed.position();
		for (int b = 0; b < blocks; b++) {
			long first = (long) b * BLOCK;
			out.putFloat(absmax[(int) (first / blockSize)]);
			// chunk c's byte j: element 16c + j in the low nibble, 16c + 8 + j in the
			// high one
			for (int c = 0; c < BLOCK / 16; c++) {
				for (int j = 0; j < 8; j++) {
					int low = code(packed, base, first + 16 * c + j);
					int high = code(packed, base, first + 16 * c + 8 + j);
					out.put((byte) (low | high << 4));
				}
			}
		}
		return out.array();
	}

	/**
	 * bitsandbytes' code of element e: byte e / 2, the even element in the high nibble.
	 */
	private static int code(ByteBuffer packed, int base, long e) {
		int b = packed.get(base + (int) (e >>> 1)) & 0xFF;
		return (e & 1) == 0 ? b >>> 4 : b & 0xF;
	}

	private static ByteBuffer required(String name, String suffix, Function<String, @Nullable ByteBuffer> tensor) {
		ByteBuffer b = tensor.apply(name + suffix);
		if (b == null) {
			throw new IllegalArgumentException(
					"bitsandbytes weight '" + name + "': tensor '" + name + suffix + "' is missing");
		}
		return b;
	}

	private static float[] floats(String name, String suffix, ByteBuffer bytes, long count) {
		checkSize(name, suffix, bytes, 4 * count);
		float[] out = new float[(int) count];
		bytes.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
		return out;
	}

	private static void checkSize(String name, String suffix, ByteBuffer bytes, long expected) {
		if (bytes.remaining() != expected) {
			throw new IllegalArgumentException("bitsandbytes weight '" + name + "': tensor '" + name + suffix + "' has "
					+ bytes.remaining() + " bytes, expected " + expected);
		}
	}

	private static IllegalArgumentException refused(String name, String what) {
		return new IllegalArgumentException("bitsandbytes weight '" + name + "' " + what);
	}

	/**
	 * The fields of the packed JSON quant state llcuda needs; nestedBlockSize 0 when not
	 * nested.
	 */
	private record QuantState(long rows, long cols, int blockSize, int nestedBlockSize, float nestedOffset) {

		private static final Set<String> KNOWN = Set.of("quant_type", "blocksize", "shape", "dtype", "nested_blocksize",
				"nested_offset", "nested_dtype");

		static QuantState parse(String name, ByteBuffer json) {
			byte[] bytes = new byte[json.remaining()];
			json.duplicate().get(bytes);
			String source = name + QUANT_STATE_NF4;
			Map<?, ?> state;
			try {
				if (!(Json.parse(new String(bytes, StandardCharsets.UTF_8), source) instanceof Map<?, ?> m)) {
					throw new IllegalArgumentException(source + ": not a JSON object");
				}
				state = m;
			}
			catch (IllegalArgumentException e) {
				throw refused(name, "has an unreadable quant state: " + e.getMessage());
			}
			Set<String> unknown = new TreeSet<>();
			for (Object key : state.keySet()) {
				if (!KNOWN.contains(key)) {
					unknown.add(String.valueOf(key));
				}
			}
			if (!unknown.isEmpty()) {
				throw refused(name, "has quant state fields llcuda does not know: " + unknown);
			}
			if (!"nf4".equals(state.get("quant_type"))) {
				throw refused(name, "has quant_type " + state.get("quant_type") + ", not nf4");
			}
			int blockSize = positiveInt(name, state, "blocksize");
			if (blockSize % BLOCK != 0) {
				throw refused(name, "has blocksize " + blockSize + ", not a multiple of " + BLOCK);
			}
			if (!(state.get("shape") instanceof List<?> shape) || shape.size() != 2
					|| !(shape.get(0) instanceof Long rows) || !(shape.get(1) instanceof Long cols) || rows <= 0
					|| cols <= 0) {
				throw refused(name, "has shape " + state.get("shape") + ", not [rows, cols] of positive integers");
			}
			if (cols % BLOCK != 0) {
				throw refused(name, "has rows of " + cols + " elements, not a multiple of " + BLOCK);
			}
			long maxElements = (Integer.MAX_VALUE - 8L) / NF4_BLOCK_BYTES * BLOCK;
			if (cols > maxElements || rows > maxElements / cols) {
				throw refused(name, "has " + rows + " x " + cols + " elements, more than one array holds");
			}
			if (!state.containsKey("nested_blocksize")) {
				return new QuantState(rows, cols, blockSize, 0, 0.0f);
			}
			if (!"float32".equals(state.get("nested_dtype"))) {
				throw refused(name, "has nested_dtype " + state.get("nested_dtype") + ", not float32");
			}
			if (!(state.get("nested_offset") instanceof Number offset)) {
				throw refused(name, "has nested_offset " + state.get("nested_offset") + ", not a number");
			}
			return new QuantState(rows, cols, blockSize, positiveInt(name, state, "nested_blocksize"),
					offset.floatValue());
		}

		private static int positiveInt(String name, Map<?, ?> state, String key) {
			if (!(state.get(key) instanceof Long v) || v <= 0 || v > Integer.MAX_VALUE) {
				throw refused(name, "has " + key + " " + state.get(key) + ", not a positive integer");
			}
			return (int) (long) v;
		}
	}

}
