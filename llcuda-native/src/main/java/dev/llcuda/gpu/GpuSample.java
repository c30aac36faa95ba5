package dev.llcuda.gpu;

/**
 * Instantaneous readings of one GPU from NVML. A reading the device does not support is
 * NaN.
 *
 * @param utilizationPercent percent of time a kernel ran over the last sample period
 * @param memoryUsed bytes in use by every process
 * @param memoryTotal bytes
 * @param temperatureCelsius GPU die temperature
 * @param powerWatts board power draw
 */
public record GpuSample(double utilizationPercent, double memoryUsed, double memoryTotal, double temperatureCelsius,
		double powerWatts) {
}
