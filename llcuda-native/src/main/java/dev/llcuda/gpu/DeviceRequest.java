package dev.llcuda.gpu;

import java.util.HashSet;
import java.util.List;

/**
 * What the user asked for.
 *
 * @param gpuEnabled whether a GPU may be used at all
 * @param devices CUDA ordinals wanted: one device, or several of this host that one model
 * is split over
 * @param gpuRequired fail instead of falling back to the CPU
 */
public record DeviceRequest(boolean gpuEnabled, List<Integer> devices, boolean gpuRequired) {

	public DeviceRequest {
		devices = List.copyOf(devices);
		if (devices.isEmpty()) {
			throw new IllegalArgumentException("llcuda.gpu.devices is empty: name at least one CUDA ordinal");
		}
		if (devices.stream().anyMatch(ordinal -> ordinal < 0)) {
			throw new IllegalArgumentException("llcuda.gpu.devices " + devices + " holds a negative CUDA ordinal");
		}
		if (new HashSet<>(devices).size() != devices.size()) {
			throw new IllegalArgumentException("llcuda.gpu.devices " + devices + " names a device twice");
		}
	}

	/** One device, as {@code llcuda.gpu.device} asks. */
	public static DeviceRequest of(boolean gpuEnabled, int device, boolean gpuRequired) {
		return new DeviceRequest(gpuEnabled, List.of(device), gpuRequired);
	}

}
