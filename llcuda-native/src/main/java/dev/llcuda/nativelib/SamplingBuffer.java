package dev.llcuda.nativelib;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jspecify.annotations.Nullable;

/**
 * A native {@code llcuda_sampling_params[]} reused from step to step. Entries are written
 * field by field at the struct's offsets through a direct buffer over the native memory
 * (no JNA call per field), so a step allocates nothing unless it samples more sequences
 * than every step before.
 */
final class SamplingBuffer {

	private static final LlcudaLibrary.SamplingParamsStruct LAYOUT = new LlcudaLibrary.SamplingParamsStruct();

	private static final int STRUCT_SIZE = LAYOUT.size();

	private static final int TEMPERATURE = LAYOUT.offsetOf("temperature");

	private static final int TOP_K = LAYOUT.offsetOf("top_k");

	private static final int TOP_P = LAYOUT.offsetOf("top_p");

	private static final int MIN_P = LAYOUT.offsetOf("min_p");

	private static final int REPETITION_PENALTY = LAYOUT.offsetOf("repetition_penalty");

	private static final int FREQUENCY_PENALTY = LAYOUT.offsetOf("frequency_penalty");

	private static final int PRESENCE_PENALTY = LAYOUT.offsetOf("presence_penalty");

	private static final int SEED = LAYOUT.offsetOf("seed");

	private Memory memory = new Memory(8L * STRUCT_SIZE);

	private ByteBuffer fields = view(memory);

	Pointer write(@Nullable NativeSampling[] params, int count) {
		if (memory.size() < (long) count * STRUCT_SIZE) {
			memory = new Memory(Math.max((long) count, memory.size() / STRUCT_SIZE * 2) * STRUCT_SIZE);
			fields = view(memory);
		}
		for (int i = 0; i < count; i++) {
			NativeSampling p = params[i];
			if (p == null) {
				continue; // a sequence that does not sample: the step never reads its
							// entry
			}
			int base = i * STRUCT_SIZE;
			fields.putFloat(base + TEMPERATURE, p.temperature());
			fields.putInt(base + TOP_K, p.topK());
			fields.putFloat(base + TOP_P, p.topP());
			fields.putFloat(base + MIN_P, p.minP());
			fields.putFloat(base + REPETITION_PENALTY, p.repetitionPenalty());
			fields.putFloat(base + FREQUENCY_PENALTY, p.frequencyPenalty());
			fields.putFloat(base + PRESENCE_PENALTY, p.presencePenalty());
			fields.putLong(base + SEED, p.seed());
		}
		return memory;
	}

	private static ByteBuffer view(Memory memory) {
		return memory.getByteBuffer(0, memory.size()).order(ByteOrder.nativeOrder());
	}

}
