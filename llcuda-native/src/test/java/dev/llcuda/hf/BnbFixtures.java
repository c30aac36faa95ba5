package dev.llcuda.hf;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.safetensors.SafetensorsCheckpoint;
import dev.llcuda.safetensors.SafetensorsTensor;
import dev.llcuda.safetensors.SafetensorsWriter;
import dev.llcuda.template.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF model as the bitsandbytes 4-bit checkpoint Unsloth would publish of it:
 * {@link HfFixtures}' directory with every layer matrix quantized as bitsandbytes' NF4
 * quantizer does (written here from its definition: a float32 absmax per 64 elements of
 * the row-major weight, each element's nearest code of the NF4 code book, two codes a
 * byte with the even element high; double quantization: the absmax less its mean, in
 * blocks of 256, coded to the nearest of bitsandbytes' signed 8-bit dynamic map times the
 * block's largest magnitude), stored under bitsandbytes' tensor names with the packed
 * JSON quant state, and {@code config.json}'s {@code quantization_config}. Embeddings,
 * norms and {@code lm_head} stay F32, as bitsandbytes leaves them.
 */
public final class BnbFixtures {

	/** bitsandbytes' NF4 code book (QLoRA's published float32 values). */
	static final float[] NF4 = { -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
			-0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f, 0.07958029955625534f,
			0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f, 0.44070982933044434f, 0.5626170039176941f,
			0.7229568362236023f, 1.0f };
	static final int BLOCK = 64;
	static final int NESTED_BLOCK = 256;
	static final String STATE = ".quant_state.bitsandbytes__nf4";

	private final HfFixtures hf;

	public BnbFixtures(NativeLibrary library) {
		this.hf = new HfFixtures(library);
	}

	/**
	 * A written checkpoint and each quantized weight's float32 values as bitsandbytes
	 * dequantizes them (HF layout).
	 */
	public record Checkpoint(Path dir, Map<String, float[]> dequantized) {
	}

	/**
	 * Writes {@code gguf} as a bitsandbytes NF4 checkpoint in {@code dir}, the absmax
	 * double-quantized or not.
	 */
	public Checkpoint write(Path gguf, Path dir, boolean doubleQuant) throws IOException {
		hf.write(gguf, dir, GgmlType.F32, 1);
		Path file = dir.resolve("model.safetensors");
		SafetensorsWriter out = new SafetensorsWriter().metadata("format", "pt");
		Map<String, float[]> dequantized = new LinkedHashMap<>();
		try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(file)) {
			for (SafetensorsTensor t : checkpoint.tensors()) {
				byte[] bytes = new byte[(int) t.byteSize()];
				checkpoint.bytes(t).get(bytes);
				boolean quantized = t.shape().length == 2 && !t.name().equals("model.embed_tokens.weight")
						&& !t.name().equals("lm_head.weight");
				if (quantized) {
					dequantized.put(t.name(), quantize(out, t.name(), t.shape(), floats(bytes), doubleQuant));
				}
				else {
					out.add(t.name(), t.dtype().name(), t.shape(), bytes);
				}
			}
		}
		out.write(file);
		editConfig(dir, c -> c.put("quantization_config", quantizationConfig(doubleQuant)));
		return new Checkpoint(dir, dequantized);
	}

	/**
	 * Writes {@code gguf} as a plain F32 checkpoint in {@code dir} whose quantized
	 * weights hold {@code bnb}'s dequantized values: what the 4-bit checkpoint computes,
	 * through the unquantized conversion path.
	 */
	public Path writeDequantized(Path gguf, Checkpoint bnb, Path dir) throws IOException {
		hf.write(gguf, dir, GgmlType.F32, 1);
		for (Map.Entry<String, float[]> w : bnb.dequantized().entrySet()) {
			SafetensorsTensor t;
			try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir.resolve("model.safetensors"))) {
				t = checkpoint.tensor(w.getKey()).orElseThrow();
			}
			replace(dir, w.getKey(), "F32", t.shape(), bytes(w.getValue()));
		}
		return dir;
	}

	/** The {@code quantization_config} transformers writes for a 4-bit NF4 load. */
	static Map<String, Object> quantizationConfig(boolean doubleQuant) {
		Map<String, Object> q = new LinkedHashMap<>();
		q.put("quant_method", "bitsandbytes");
		q.put("load_in_4bit", true);
		q.put("load_in_8bit", false);
		q.put("bnb_4bit_quant_type", "nf4");
		q.put("bnb_4bit_use_double_quant", doubleQuant);
		q.put("bnb_4bit_compute_dtype", "bfloat16");
		q.put("bnb_4bit_quant_storage", "uint8");
		q.put("llm_int8_skip_modules", List.of("lm_head"));
		q.put("llm_int8_threshold", 6.0);
		return q;
	}

	/**
	 * Adds weight {@code name}'s bitsandbytes tensors to {@code out}; returns its
	 * dequantized values.
	 */
	private static float[] quantize(SafetensorsWriter out, String name, long[] shape, float[] w, boolean doubleQuant) {
		int n = w.length;
		int blocks = (n + BLOCK - 1) / BLOCK;
		float[] absmax = new float[blocks];
		byte[] packed = new byte[(n + 1) / 2];
		int[] codes = new int[n];
		for (int b = 0; b < blocks; b++) {
			for (int e = b * BLOCK; e < Math.min(n, (b + 1) * BLOCK); e++) {
				absmax[b] = Math.max(absmax[b], Math.abs(w[e]));
			}
			for (int e = b * BLOCK; e < Math.min(n, (b + 1) * BLOCK); e++) {
				codes[e] = nearest(NF4, absmax[b] == 0 ? 0 : w[e] / absmax[b]);
				packed[e / 2] |= (byte) ((e % 2 == 0) ? codes[e] << 4 : codes[e]);
			}
		}
		out.add(name, "U8", new long[] { packed.length, 1 }, packed);
		out.add(name + ".quant_map", "F32", new long[] { 16 }, bytes(NF4));
		Map<String, Object> state = new LinkedHashMap<>();
		state.put("quant_type", "nf4");
		state.put("blocksize", (long) BLOCK);
		state.put("dtype", "bfloat16");
		state.put("shape", List.of(shape[0], shape[1]));
		float[] scales = absmax;
		if (doubleQuant) {
			scales = nest(out, name, absmax, state);
		}
		else {
			out.add(name + ".absmax", "F32", new long[] { blocks }, bytes(absmax));
		}
		byte[] json = Json.write(state).getBytes(StandardCharsets.UTF_8);
		out.add(name + STATE, "U8", new long[] { json.length }, json);
		float[] values = new float[n];
		for (int e = 0; e < n; e++) {
			values[e] = NF4[codes[e]] * scales[e / BLOCK];
		}
		return values;
	}

	/**
	 * Double quantization of {@code absmax}; returns the float32 scales bitsandbytes
	 * recovers from it.
	 */
	private static float[] nest(SafetensorsWriter out, String name, float[] absmax, Map<String, Object> state) {
		double sum = 0;
		for (float a : absmax) {
			sum += a;
		}
		float offset = (float) (sum / absmax.length);
		float[] map = dynamicMap();
		int groups = (absmax.length + NESTED_BLOCK - 1) / NESTED_BLOCK;
		float[] nestedAbsmax = new float[groups];
		byte[] codes = new byte[absmax.length];
		float[] scales = new float[absmax.length];
		for (int g = 0; g < groups; g++) {
			int end = Math.min(absmax.length, (g + 1) * NESTED_BLOCK);
			for (int i = g * NESTED_BLOCK; i < end; i++) {
				nestedAbsmax[g] = Math.max(nestedAbsmax[g], Math.abs(absmax[i] - offset));
			}
			for (int i = g * NESTED_BLOCK; i < end; i++) {
				int code = nearest(map, nestedAbsmax[g] == 0 ? 0 : (absmax[i] - offset) / nestedAbsmax[g]);
				codes[i] = (byte) code;
				scales[i] = map[code] * nestedAbsmax[g] + offset;
			}
		}
		out.add(name + ".absmax", "U8", new long[] { codes.length }, codes);
		out.add(name + ".nested_absmax", "F32", new long[] { groups }, bytes(nestedAbsmax));
		out.add(name + ".nested_quant_map", "F32", new long[] { 256 }, bytes(map));
		state.put("nested_blocksize", (long) NESTED_BLOCK);
		state.put("nested_offset", (double) offset);
		state.put("nested_dtype", "float32");
		return scales;
	}

	/**
	 * bitsandbytes' signed 8-bit dynamic map: for exponent i = 0..6, the midpoints of 2^i
	 * + 1 evenly spaced points over [0.1, 1], times ±10^(i-6); then 0 and 1; sorted (256
	 * values).
	 */
	static float[] dynamicMap() {
		List<Float> values = new ArrayList<>();
		for (int i = 0; i < 7; i++) {
			int points = (1 << i) + 1;
			double scale = Math.pow(10, i - 6);
			for (int k = 0; k + 1 < points; k++) {
				double left = 0.1 + 0.9 * k / (points - 1);
				double right = 0.1 + 0.9 * (k + 1) / (points - 1);
				float mean = (float) ((float) left + (float) right) / 2;
				values.add((float) (scale * mean));
				values.add((float) (-scale * mean));
			}
		}
		values.add(0f);
		values.add(1f);
		values.sort(null);
		float[] map = new float[values.size()];
		for (int i = 0; i < map.length; i++) {
			map[i] = values.get(i);
		}
		return map;
	}

	private static int nearest(float[] book, float x) {
		int best = 0;
		for (int q = 1; q < book.length; q++) {
			if (Math.abs(book[q] - x) < Math.abs(book[best] - x)) {
				best = q;
			}
		}
		return best;
	}

	/**
	 * Rewrites {@code dir}'s model.safetensors with tensor {@code name} replaced or added
	 * (dtype and shape as given).
	 */
	public static void replace(Path dir, String name, String dtype, long[] shape, byte[] data) throws IOException {
		Path file = dir.resolve("model.safetensors");
		SafetensorsWriter out = new SafetensorsWriter().metadata("format", "pt");
		try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(file)) {
			for (SafetensorsTensor t : checkpoint.tensors()) {
				if (!t.name().equals(name)) {
					byte[] bytes = new byte[(int) t.byteSize()];
					checkpoint.bytes(t).get(bytes);
					out.add(t.name(), t.dtype().name(), t.shape(), bytes);
				}
			}
		}
		out.add(name, dtype, shape, data);
		out.write(file);
	}

	/** Rewrites weight {@code weight}'s quant state JSON after {@code edit}. */
	@SuppressWarnings("unchecked")
	public static void editState(Path dir, String weight, java.util.function.Consumer<Map<String, Object>> edit)
			throws IOException {
		byte[] stored;
		try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir.resolve("model.safetensors"))) {
			SafetensorsTensor t = checkpoint.tensor(weight + STATE).orElseThrow();
			stored = new byte[(int) t.byteSize()];
			checkpoint.bytes(t).get(stored);
		}
		Map<String, Object> state = new LinkedHashMap<>(
				(Map<String, Object>) Json.parse(new String(stored, StandardCharsets.UTF_8), "state"));
		edit.accept(state);
		byte[] json = Json.write(state).getBytes(StandardCharsets.UTF_8);
		replace(dir, weight + STATE, "U8", new long[] { json.length }, json);
	}

	/** Rewrites {@code dir}'s config.json after {@code edit}. */
	@SuppressWarnings("unchecked")
	public static void editConfig(Path dir, java.util.function.Consumer<Map<String, Object>> edit) throws IOException {
		Path file = dir.resolve("config.json");
		Map<String, Object> config = new LinkedHashMap<>(
				(Map<String, Object>) Json.parse(Files.readString(file), "config"));
		edit.accept(config);
		Files.writeString(file, Json.write(config));
	}

	private static float[] floats(byte[] bytes) {
		float[] values = new float[bytes.length / 4];
		ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
		return values;
	}

	private static byte[] bytes(float[] values) {
		ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
		buffer.asFloatBuffer().put(values);
		return buffer.array();
	}

}
