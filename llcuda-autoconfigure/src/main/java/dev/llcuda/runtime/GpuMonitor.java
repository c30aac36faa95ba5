package dev.llcuda.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import dev.llcuda.gpu.DeviceSelection;
import dev.llcuda.gpu.GpuSample;
import dev.llcuda.gpu.Nvml;
import dev.llcuda.gpu.NvmlDevice;

/**
 * Live readings of the selected GPU through NVML, sampled at most once per
 * {@link #MAX_AGE} (one scrape reads five gauges). Empty on the CPU or without NVML.
 * Closing shuts NVML down.
 */
public final class GpuMonitor implements AutoCloseable {

	/** Readings younger than this are reused. */
	static final Duration MAX_AGE = Duration.ofSeconds(1);

	private final @Nullable Nvml nvml;

	private final DeviceSelection selection;

	private final Clock clock;

	private @Nullable GpuSample last;

	private Instant lastAt = Instant.MIN;

	public GpuMonitor(Optional<Nvml> nvml, DeviceSelection selection, Clock clock) {
		this.nvml = nvml.orElse(null);
		this.selection = selection;
		this.clock = clock;
	}

	public DeviceSelection selection() {
		return this.selection;
	}

	/** The current readings of the selected GPU. */
	public synchronized Optional<GpuSample> sample() {
		Optional<NvmlDevice> device = this.selection.nvmlDevice();
		if (this.nvml == null || device.isEmpty()) {
			return Optional.empty();
		}
		Instant now = this.clock.instant();
		if (this.last == null || Duration.between(this.lastAt, now).compareTo(MAX_AGE) >= 0) {
			this.last = this.nvml.sample(device.get().index());
			this.lastAt = now;
		}
		return Optional.of(this.last);
	}

	@Override
	public void close() {
		if (this.nvml != null) {
			this.nvml.close();
		}
	}

}
