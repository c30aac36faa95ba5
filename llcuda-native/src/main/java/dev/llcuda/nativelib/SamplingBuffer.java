package dev.llcuda.nativelib;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/** A native {@code llcuda_sampling_params[]} reused from step to step, with one struct view per entry. */
final class SamplingBuffer {

    private static final int STRUCT_SIZE = new LlcudaLibrary.SamplingParamsStruct().size();

    private Memory memory;
    private LlcudaLibrary.SamplingParamsStruct[] views = new LlcudaLibrary.SamplingParamsStruct[0];

    Pointer write(SamplingParams[] params, int count) {
        if (views.length < Math.max(count, 1)) {
            int capacity = Math.max(Math.max(count, 8), views.length * 2);
            memory = new Memory((long) capacity * STRUCT_SIZE);
            views = new LlcudaLibrary.SamplingParamsStruct[capacity];
            for (int i = 0; i < capacity; i++) {
                views[i] = new LlcudaLibrary.SamplingParamsStruct(memory.share((long) i * STRUCT_SIZE));
            }
        }
        for (int i = 0; i < count; i++) {
            params[i].writeTo(views[i]);
        }
        return memory;
    }
}
