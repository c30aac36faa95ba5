package dev.llcuda.gpu;

import java.util.ArrayList;
import java.util.List;

import dev.llcuda.nativelib.CudaDevices;
import dev.llcuda.nativelib.DeviceInfo;
import dev.llcuda.nativelib.NativeLibrary;

/**
 * The CUDA devices the native library can use, or why there are none.
 *
 * @param devices usable devices by ordinal
 * @param reasonNone why the list is empty ("no CUDA driver", "built without CUDA"); ""
 * otherwise
 */
public record CudaInventory(List<CudaDevice> devices, String reasonNone) {

	public CudaInventory {
		devices = List.copyOf(devices);
	}

	/** The CUDA devices the loaded native library reports. */
	public static CudaInventory query(NativeLibrary library) {
		CudaDevices count = library.cudaDevices();
		List<CudaDevice> devices = new ArrayList<>();
		for (int ordinal = 0; ordinal < count.count(); ordinal++) {
			DeviceInfo info = library.cudaDeviceInfo(ordinal);
			devices.add(new CudaDevice(info.device(), info.name(), info.uuid(),
					new ComputeCapability(info.computeMajor(), info.computeMinor()), info.multiprocessors(),
					info.driverVersion(), info.memoryTotal(), info.memoryFree()));
		}
		return new CudaInventory(devices, count.reason());
	}

	public static CudaInventory none(String reason) {
		return new CudaInventory(List.of(), reason);
	}
}
