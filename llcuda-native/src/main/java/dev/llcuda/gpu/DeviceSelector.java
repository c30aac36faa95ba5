package dev.llcuda.gpu;

import java.util.List;
import java.util.Optional;

/**
 * Chooses the device from the CUDA view and the NVML view: the requested CUDA ordinal
 * when it exists and is sm_75 or newer, the CPU otherwise (or a
 * {@link GpuRequiredException} when a GPU is required).
 */
public final class DeviceSelector {

	private DeviceSelector() {
	}

	public static DeviceSelection select(DeviceRequest request, CudaInventory inventory, Optional<Nvml> nvml) {
		List<NvmlDevice> nvmlDevices = nvml.map(Nvml::devices).orElse(List.of());
		return select(request, inventory, nvmlDevices);
	}

	static DeviceSelection select(DeviceRequest request, CudaInventory inventory, List<NvmlDevice> nvmlDevices) {
		if (!request.gpuEnabled()) {
			return cpu(request, "the GPU is disabled (llcuda.gpu.enabled=false)");
		}
		if (inventory.devices().isEmpty()) {
			return cpu(request, "no usable CUDA device: " + inventory.reasonNone());
		}
		Optional<CudaDevice> wanted = inventory.devices()
			.stream()
			.filter(device -> device.ordinal() == request.device())
			.findFirst();
		if (wanted.isEmpty()) {
			return cpu(request, "CUDA device " + request.device() + " does not exist (llcuda.gpu.device; "
					+ inventory.devices().size() + " device(s) found)");
		}
		CudaDevice device = wanted.get();
		if (!device.capability().isSupported()) {
			return cpu(request, device.name() + " has compute capability " + device.capability() + "; llcuda needs "
					+ ComputeCapability.MINIMUM + " (" + ComputeCapability.MINIMUM.smName() + ") or newer");
		}
		NvmlDevice managed = nvmlDevices.stream().filter(n -> n.uuid().equals(device.uuid())).findFirst().orElse(null);
		DeviceProfile profile = DeviceProfile.of(device);
		return new DeviceSelection(device, managed, profile, "CUDA device " + device.ordinal() + " (" + device.name()
				+ ", " + device.capability().smName() + ", profile " + profile.name() + ")");
	}

	private static DeviceSelection cpu(DeviceRequest request, String reason) {
		if (request.gpuRequired()) {
			throw new GpuRequiredException(reason);
		}
		return new DeviceSelection(null, null, DeviceProfile.cpu(), "the CPU, because " + reason);
	}

}
