package dev.llcuda.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Chooses the device from the CUDA view and the NVML view: the requested CUDA ordinals
 * when they exist, are sm_75 or newer and (several of them) of one device profile, the
 * CPU otherwise (or a {@link GpuRequiredException} when a GPU is required).
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
		String property = request.devices().size() > 1 ? "llcuda.gpu.devices" : "llcuda.gpu.device";
		List<CudaDevice> chosen = new ArrayList<>();
		for (int ordinal : request.devices()) {
			Optional<CudaDevice> wanted = inventory.devices()
				.stream()
				.filter(device -> device.ordinal() == ordinal)
				.findFirst();
			if (wanted.isEmpty()) {
				return cpu(request, "CUDA device " + ordinal + " does not exist (" + property + "; "
						+ inventory.devices().size() + " device(s) found)");
			}
			CudaDevice device = wanted.get();
			if (!device.capability().isSupported()) {
				return cpu(request, device.name() + " has compute capability " + device.capability() + "; llcuda needs "
						+ ComputeCapability.MINIMUM + " (" + ComputeCapability.MINIMUM.smName() + ") or newer");
			}
			chosen.add(device);
		}
		CudaDevice first = chosen.get(0);
		DeviceProfile profile = DeviceProfile.of(first);
		if (chosen.stream().anyMatch(device -> !DeviceProfile.of(device).equals(profile))) {
			return cpu(request, "the CUDA devices " + describe(chosen)
					+ " are of different kinds; one model is split over devices of one kind (" + property + ")");
		}
		NvmlDevice managed = nvmlDevices.stream().filter(n -> n.uuid().equals(first.uuid())).findFirst().orElse(null);
		String reason = chosen.size() == 1
				? "CUDA device " + first.ordinal() + " (" + first.name() + ", " + first.capability().smName()
						+ ", profile " + profile.name() + ")"
				: "CUDA devices " + describe(chosen) + ", profile " + profile.name() + " on each";
		return new DeviceSelection(first, managed, profile, reason, chosen);
	}

	private static String describe(List<CudaDevice> devices) {
		return devices.stream()
			.map(device -> device.ordinal() + " (" + device.name() + ", " + device.capability().smName() + ")")
			.collect(Collectors.joining(", "));
	}

	private static DeviceSelection cpu(DeviceRequest request, String reason) {
		if (request.gpuRequired()) {
			throw new GpuRequiredException(reason);
		}
		return DeviceSelection.cpu("the CPU, because " + reason);
	}

}
