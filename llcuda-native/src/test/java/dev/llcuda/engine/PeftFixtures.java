package dev.llcuda.engine;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufWriter;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * LoRA adapters of one set of A and B pairs written both ways: as the GGUF file
 * llama.cpp's converter writes and as the PEFT directory ({@code adapter_config.json} +
 * {@code adapter_model.safetensors}) it is converted from; shared with the other modules'
 * tests through llcuda-native's test jar.
 */
public final class PeftFixtures {

	private static final Map<String, String> MODULES = Map.of("attn_q", "self_attn.q_proj", "attn_k",
			"self_attn.k_proj", "attn_v", "self_attn.v_proj", "attn_output", "self_attn.o_proj", "ffn_gate",
			"mlp.gate_proj", "ffn_up", "mlp.up_proj", "ffn_down", "mlp.down_proj");

	public static final int RANK = 8;

	/**
	 * A and B (GGUF row order) of every projection of the model's layers, F32, by GGUF
	 * tensor name.
	 */
	public static Map<String, float[]> randomPairs(Path model, long seed) throws IOException {
		Random random = new Random(seed);
		Map<String, float[]> pairs = new LinkedHashMap<>();
		try (GgufFile file = GgufFile.open(model)) {
			for (TensorInfo w : file.tensors()) {
				String projection = w.name().replaceAll("^blk\\.\\d+\\.|\\.weight$", "");
				if (w.name().startsWith("blk.") && MODULES.containsKey(projection)) {
					pairs.put(w.name() + ".lora_a", gaussian(random, w.dim(0) * RANK, 1 / Math.sqrt(w.dim(0))));
					pairs.put(w.name() + ".lora_b", gaussian(random, RANK * w.dim(1), 0.2 / Math.sqrt(RANK)));
				}
			}
		}
		return pairs;
	}

	private static float[] gaussian(Random random, long count, double sigma) {
		float[] values = new float[(int) count];
		for (int i = 0; i < values.length; i++) {
			values[i] = (float) (random.nextGaussian() * sigma);
		}
		return values;
	}

	private static byte[] bytes(float[] values) {
		ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
		for (float v : values) {
			buffer.putFloat(v);
		}
		return buffer.array();
	}

	public static Path gguf(Path dir, String name, ModelSpec spec, Map<String, float[]> pairs, float alpha)
			throws IOException {
		return gguf(dir, name, spec, pairs, alpha, false);
	}

	public static Path gguf(Path dir, String name, ModelSpec spec, Map<String, float[]> pairs, float alpha,
			boolean bf16) throws IOException {
		GgufWriter writer = new GgufWriter().putString("general.architecture", spec.architecture().ggufName())
			.putString("general.type", "adapter")
			.putString("adapter.type", "lora")
			.putFloat32("adapter.lora.alpha", alpha);
		for (Map.Entry<String, float[]> pair : pairs.entrySet()) {
			long rows = pair.getValue().length / RANK;
			boolean isA = pair.getKey().endsWith("_a");
			writer.addTensor(pair.getKey(), bf16 ? GgmlType.BF16 : GgmlType.F32,
					isA ? new long[] { rows, RANK } : new long[] { RANK, rows },
					bf16 ? upperHalves(pair.getValue()) : bytes(pair.getValue()));
		}
		Path path = dir.resolve(name);
		writer.write(path);
		return path;
	}

	/**
	 * The PEFT directory of the same pairs: lora_B of llama's q and k back in Hugging
	 * Face's row order, where within each head row j * half + i is GGUF's row 2 i + j.
	 */
	public static Path peft(Path dir, String name, ModelSpec spec, Map<String, float[]> pairs, String config)
			throws IOException {
		return peft(dir, name, spec, pairs, config, false);
	}

	/** With {@code bf16} the tensors are stored in BF16 (the values' upper halves). */
	public static Path peft(Path dir, String name, ModelSpec spec, Map<String, float[]> pairs, String config,
			boolean bf16) throws IOException {
		SafetensorsWriter weights = new SafetensorsWriter().metadata("format", "pt");
		for (Map.Entry<String, float[]> pair : pairs.entrySet()) {
			String[] parts = pair.getKey().split("\\.");
			boolean isA = parts[4].equals("lora_a");
			float[] values = pair.getValue();
			long rows = values.length / RANK;
			if (!isA && spec.architecture().ggufName().equals("llama")
					&& (parts[2].equals("attn_q") || parts[2].equals("attn_k"))) {
				values = huggingFaceOrder(values, (int) rows,
						parts[2].equals("attn_q") ? spec.heads() : spec.kvHeads());
			}
			String hf = "base_model.model.model.layers." + parts[1] + "." + MODULES.get(parts[2]) + ".lora_"
					+ (isA ? "A" : "B") + ".weight";
			long[] shape = isA ? new long[] { RANK, rows } : new long[] { rows, RANK };
			if (bf16) {
				weights.add(hf, "BF16", shape, upperHalves(values));
			}
			else {
				weights.addFloats(hf, shape, values);
			}
		}
		Path adapter = Files.createDirectories(dir.resolve(name));
		Files.writeString(adapter.resolve("adapter_config.json"), config);
		weights.write(adapter.resolve("adapter_model.safetensors"));
		return adapter;
	}

	private static byte[] upperHalves(float[] values) {
		ByteBuffer buffer = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
		for (float v : values) {
			buffer.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
		}
		return buffer.array();
	}

	private static float[] huggingFaceOrder(float[] gguf, int rows, int heads) {
		float[] hf = new float[gguf.length];
		int headSize = rows / heads;
		for (int h = 0; h < heads; h++) {
			for (int i = 0; i < headSize / 2; i++) {
				for (int j = 0; j < 2; j++) {
					System.arraycopy(gguf, (h * headSize + 2 * i + j) * RANK, hf,
							(h * headSize + j * headSize / 2 + i) * RANK, RANK);
				}
			}
		}
		return hf;
	}

	public static String config(String extra) {
		return "{\"peft_type\": \"LORA\", \"r\": " + RANK
				+ ", \"lora_alpha\": 16, \"target_modules\": [\"q_proj\", \"k_proj\","
				+ " \"v_proj\", \"o_proj\", \"gate_proj\", \"up_proj\", \"down_proj\"], \"bias\": \"none\"" + extra
				+ "}";
	}

	private PeftFixtures() {
	}

}
