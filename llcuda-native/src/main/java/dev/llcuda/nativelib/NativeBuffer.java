package dev.llcuda.nativelib;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.jspecify.annotations.Nullable;

/**
 * Native memory reused from call to call; it grows (doubling) only when a call needs
 * more.
 */
final class NativeBuffer {

	private @Nullable Memory memory;

	/** At least {@code bytes} bytes (one at minimum, so the pointer is never NULL). */
	Pointer reserve(long bytes) {
		long wanted = Math.max(bytes, 1);
		if (memory == null || memory.size() < wanted) {
			long size = memory == null ? Math.max(wanted, 64) : Math.max(wanted, memory.size() * 2);
			memory = new Memory(size);
		}
		return memory;
	}

	Pointer write(int[] values, int count) {
		Pointer pointer = reserve((long) count * Integer.BYTES);
		pointer.write(0, values, 0, count);
		return pointer;
	}

	Pointer write(float[] values, int count) {
		Pointer pointer = reserve((long) count * Float.BYTES);
		pointer.write(0, values, 0, count);
		return pointer;
	}

	Pointer write(byte[] values, int count) {
		Pointer pointer = reserve(count);
		pointer.write(0, values, 0, count);
		return pointer;
	}

}
