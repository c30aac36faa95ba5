package dev.llcuda.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufWriter;

/**
 * GGUF LoRA adapters for the micro model's tests: rank 4, alpha 8, on both layers' q
 * projection ({@code [256, 256]}), so they fit {@link TestServing#MICRO_LLAMA}.
 */
public final class TestAdapters {

	private TestAdapters() {
	}

	/**
	 * Writes to {@code path} an adapter for {@code architecture} whose lora_a are
	 * {@code [in, 4]} (256 fits the model; another width does not) and lora_b
	 * {@code [4, 256]}, of Gaussian values of {@code sigma} from seed 5 (0: zeros, where
	 * the values do not matter).
	 */
	public static Path qProjection(Path path, String architecture, long in, float sigma) throws IOException {
		Random random = new Random(5);
		GgufWriter writer = new GgufWriter().putString("general.architecture", architecture)
			.putString("general.type", "adapter")
			.putString("adapter.type", "lora")
			.putFloat32("adapter.lora.alpha", 8f);
		for (int layer = 0; layer < 2; layer++) {
			String base = "blk." + layer + ".attn_q.weight";
			writer.addTensor(base + ".lora_a", GgmlType.F32, new long[] { in, 4 },
					gaussian(random, (int) in * 4, sigma));
			writer.addTensor(base + ".lora_b", GgmlType.F32, new long[] { 4, 256 }, gaussian(random, 1024, sigma));
		}
		writer.write(path);
		return path;
	}

	private static byte[] gaussian(Random random, int count, float sigma) {
		ByteBuffer bytes = ByteBuffer.allocate(count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < count; i++) {
			bytes.putFloat(sigma == 0 ? 0f : (float) random.nextGaussian() * sigma);
		}
		return bytes.array();
	}

}
