package dev.llcuda.gpu;

import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The device llcuda runs on and why.
 *
 * @param cuda the CUDA device, or null for the CPU; the first of {@code cudaDevices}
 * @param nvml NVML's view of the same device (matched by UUID), or null without NVML
 * @param profile engine defaults for this device (each of several devices is of the same
 * profile)
 * @param reason why this device: the one log line and the health detail
 * @param cudaDevices every CUDA device asked for, in order, when one model is split over
 * several; {@code cuda} alone otherwise, empty for the CPU
 */
public record DeviceSelection(@Nullable CudaDevice cuda, @Nullable NvmlDevice nvml, DeviceProfile profile,
		String reason, List<CudaDevice> cudaDevices) {

	public DeviceSelection {
		cudaDevices = List.copyOf(cudaDevices);
	}

	/** The CPU, for {@code reason}. */
	public static DeviceSelection cpu(String reason) {
		return new DeviceSelection(null, null, DeviceProfile.cpu(), reason, List.of());
	}

	public boolean isCpu() {
		return this.cuda == null;
	}

	/** Whether one model is split over several CUDA devices. */
	public boolean severalDevices() {
		return this.cudaDevices.size() > 1;
	}

	/** The CUDA ordinals of {@link #cudaDevices()}. */
	public List<Integer> ordinals() {
		return this.cudaDevices.stream().map(CudaDevice::ordinal).toList();
	}

	public Optional<CudaDevice> cudaDevice() {
		return Optional.ofNullable(this.cuda);
	}

	public Optional<NvmlDevice> nvmlDevice() {
		return Optional.ofNullable(this.nvml);
	}
}
