package dev.llcuda.actuate;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.llcuda.gpu.GpuSample;
import dev.llcuda.gpu.NvmlDevice;
import dev.llcuda.runtime.GpuMonitor;

/**
 * NVML readings of the GPU llcuda runs on, tagged by device (CUDA ordinal, name, UUID).
 * Not registered on the CPU or without NVML.
 */
public final class LlcudaGpuMetrics implements MeterBinder {

	public static final String UTILIZATION = "llcuda.gpu.utilization";

	public static final String MEMORY_USED = "llcuda.gpu.memory.used";

	public static final String MEMORY_TOTAL = "llcuda.gpu.memory.total";

	public static final String TEMPERATURE = "llcuda.gpu.temperature";

	public static final String POWER = "llcuda.gpu.power";

	private final GpuMonitor monitor;

	public LlcudaGpuMetrics(GpuMonitor monitor) {
		this.monitor = monitor;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		NvmlDevice device = this.monitor.selection().nvml();
		if (device == null || this.monitor.sample().isEmpty()) {
			return;
		}
		int ordinal = this.monitor.selection().cudaDevice().map(cuda -> cuda.ordinal()).orElse(device.index());
		Tags tags = Tags.of("device", Integer.toString(ordinal), "name", device.name(), "uuid", device.uuid());
		gauge(registry, UTILIZATION, "percent", "GPU busy time over the driver's last sample period", tags,
				GpuSample::utilizationPercent);
		gauge(registry, MEMORY_USED, "bytes", "GPU memory in use by every process", tags, GpuSample::memoryUsed);
		gauge(registry, MEMORY_TOTAL, "bytes", "GPU memory", tags, GpuSample::memoryTotal);
		gauge(registry, TEMPERATURE, "celsius", "GPU die temperature", tags, GpuSample::temperatureCelsius);
		gauge(registry, POWER, "watts", "GPU board power draw", tags, GpuSample::powerWatts);
	}

	private void gauge(MeterRegistry registry, String name, String unit, String description, Tags tags,
			ToDoubleFunction<GpuSample> value) {
		Gauge.builder(name, this.monitor, monitor -> monitor.sample().map(value::applyAsDouble).orElse(Double.NaN))
			.tags(tags)
			.baseUnit(unit)
			.description(description)
			.register(registry);
	}

}
