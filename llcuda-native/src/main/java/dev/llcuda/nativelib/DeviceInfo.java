package dev.llcuda.nativelib;

import java.nio.charset.StandardCharsets;

/**
 * {@code llcuda_device_info}: a CUDA device or the CPU, as the native library sees it.
 */
public record DeviceInfo(String name, String uuid, BackendKind kind, int device, int computeMajor, int computeMinor,
		int multiprocessors, int driverVersion, long memoryTotal, long memoryFree) {

	static DeviceInfo of(LlcudaLibrary.DeviceInfoStruct info) {
		return new DeviceInfo(cString(info.name), cString(info.uuid), BackendKind.of(info.kind), info.device,
				info.compute_major, info.compute_minor, info.multiprocessors, info.driver_version, info.memory_total,
				info.memory_free);
	}

	/** "8.9" style compute capability; "" for the CPU. */
	public String computeCapability() {
		return kind == BackendKind.CUDA ? computeMajor + "." + computeMinor : "";
	}

	private static String cString(byte[] bytes) {
		int length = 0;
		while (length < bytes.length && bytes[length] != 0) {
			length++;
		}
		return new String(bytes, 0, length, StandardCharsets.UTF_8);
	}
}
