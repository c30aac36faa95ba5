package dev.llcuda.gpu;

/**
 * One CUDA device as the native library's CUDA runtime sees it.
 *
 * @param ordinal CUDA device ordinal
 * @param name marketing name, e.g. "Tesla T4"
 * @param uuid "GPU-..." identifier, the same NVML reports
 * @param capability compute capability
 * @param multiprocessors streaming multiprocessors
 * @param driverVersion CUDA driver version as {@code cudaDriverGetVersion} reports it
 * (12040 = 12.4)
 * @param memoryTotal device memory in bytes
 * @param memoryFree free device memory in bytes when queried
 */
public record CudaDevice(int ordinal, String name, String uuid, ComputeCapability capability, int multiprocessors,
		int driverVersion, long memoryTotal, long memoryFree) {

	/** "12.4" from 12040. */
	public String driverVersionText() {
		return (this.driverVersion / 1000) + "." + (this.driverVersion % 1000) / 10;
	}
}
