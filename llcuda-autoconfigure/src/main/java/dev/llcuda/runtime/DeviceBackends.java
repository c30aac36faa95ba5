package dev.llcuda.runtime;

import dev.llcuda.gpu.DeviceSelection;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.NativeLibrary;

/**
 * The backend of the selected device, the one place chat and embedding models get theirs
 * from.
 */
public final class DeviceBackends {

	private DeviceBackends() {
	}

	/**
	 * A new backend on the selected CUDA device, or on the CPU with {@code cpuThreads}
	 * threads (0: every core) when the selection is the CPU. The caller closes it.
	 */
	public static Backend open(NativeLibrary library, DeviceSelection device, int cpuThreads) {
		return device.cudaDevice()
			.map(cuda -> library.cudaBackend(cuda.ordinal()))
			.orElseGet(() -> library.cpuBackend(cpuThreads));
	}

}
