package dev.llcuda.gpu;

/**
 * The management view of one GPU, from NVML.
 *
 * @param index NVML index (PCI order; may differ from the CUDA ordinal, match by UUID)
 * @param name marketing name
 * @param uuid "GPU-..." identifier
 * @param capability compute capability
 * @param memoryTotal bytes
 * @param driverVersion the display driver version, e.g. "550.54.15"
 */
public record NvmlDevice(int index, String name, String uuid, ComputeCapability capability, long memoryTotal,
		String driverVersion) {
}
