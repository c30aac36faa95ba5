package dev.llcuda.gpu;

import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The device llcuda runs on and why.
 *
 * @param cuda the CUDA device, or null for the CPU
 * @param nvml NVML's view of the same device (matched by UUID), or null without NVML
 * @param profile engine defaults for this device
 * @param reason why this device: the one log line and the health detail
 */
public record DeviceSelection(@Nullable CudaDevice cuda, @Nullable NvmlDevice nvml, DeviceProfile profile,
		String reason) {

	public boolean isCpu() {
		return this.cuda == null;
	}

	public Optional<CudaDevice> cudaDevice() {
		return Optional.ofNullable(this.cuda);
	}

	public Optional<NvmlDevice> nvmlDevice() {
		return Optional.ofNullable(this.nvml);
	}
}
