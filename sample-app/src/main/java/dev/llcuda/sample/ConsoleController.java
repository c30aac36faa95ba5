package dev.llcuda.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.llcuda.engine.EngineStats;
import dev.llcuda.gpu.GpuSample;
import dev.llcuda.registry.ModelPull;
import dev.llcuda.registry.ModelPulls;
import dev.llcuda.runtime.GpuMonitor;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.LoadProgress;
import dev.llcuda.runtime.ServingModel;

/**
 * The operator console's own calls (the page at {@code /}; it chats through
 * {@code /v1/chat/completions} and changes the registry through
 * {@code /actuator/llcudamodels}). {@code GET /api/console}: what it shows live, read
 * without waiting for the registry (which is busy while a model activates): the service
 * state, the load in progress, the engine's counters, the GPU's readings and the pulls;
 * the page follows it as server-sent events ({@link ConsoleEvents}) and derives rates
 * (tokens/s) from the counters. {@code GET /api/status}: the state alone.
 */
@RestController
public class ConsoleController {

	private final ServiceStatus status;

	private final LlcudaRuntime runtime;

	private final GpuMonitor gpu;

	private final ObjectProvider<ModelPulls> pulls;

	public ConsoleController(ServiceStatus status, LlcudaRuntime runtime, GpuMonitor gpu,
			ObjectProvider<ModelPulls> pulls) {
		this.status = status;
		this.runtime = runtime;
		this.gpu = gpu;
		this.pulls = pulls;
	}

	@GetMapping("/api/status")
	public ServiceStatus.View status() {
		return this.status.view();
	}

	@GetMapping("/api/console")
	public Live live() {
		Instant now = Instant.now();
		ModelPulls pulls = this.pulls.getIfAvailable();
		return new Live(now.toEpochMilli(), this.status.view(),
				this.runtime.loadProgress().map(progress -> Loading.of(progress, now)).orElse(null),
				this.runtime.serving().map(Engine::of).orElse(null),
				this.gpu.sample().map(sample -> Gpu.of(this.gpu, sample)).orElse(null),
				pulls != null ? pulls.pulls() : List.of());
	}

	/**
	 * One reading.
	 *
	 * @param at milliseconds since the epoch
	 * @param loading the model being loaded, or null
	 * @param engine the engine serving, or null
	 * @param gpu the GPU's readings, or null on the CPU or without NVML
	 * @param pulls downloads since start-up, the newest first
	 */
	public record Live(long at, ServiceStatus.View status, @Nullable Loading loading, @Nullable Engine engine,
			@Nullable Gpu gpu, List<ModelPull.Status> pulls) {
	}

	/**
	 * A load in progress: {@code totalBytes} -1 and {@code percent} -1 outside the
	 * weights' copy.
	 */
	public record Loading(String path, String phase, long bytes, long totalBytes, double percent,
			double elapsedSeconds) {

		static Loading of(LoadProgress progress, Instant now) {
			return new Loading(progress.file().toString(), progress.phase().name(), progress.bytes(),
					progress.totalBytes(), progress.percent(),
					Duration.between(progress.startedAt(), now).toMillis() / 1000.0);
		}
	}

	/** The engine's gauges and its counters since the model was loaded. */
	public record Engine(String model, int queued, int running, int kvBlocksUsed, int kvBlocksTotal,
			double prefixCacheHitRate, long promptTokensTotal, long generatedTokensTotal, long finishedTotal) {

		static Engine of(ServingModel model) {
			EngineStats stats = model.engine().stats();
			return new Engine(model.spec().name(), stats.queued(), stats.running(), stats.kvBlocksUsed(),
					stats.kvBlocksTotal(), stats.prefixCacheHitRate(), stats.promptTokensTotal(),
					stats.generatedTokensTotal(), stats.finishedTotal());
		}
	}

	/** The selected GPU's readings (NaN where the device does not report one). */
	public record Gpu(String name, double utilizationPercent, double memoryUsedBytes, double memoryTotalBytes,
			double temperatureCelsius, double powerWatts) {

		static Gpu of(GpuMonitor monitor, GpuSample sample) {
			String name = monitor.selection().cudaDevice().map(device -> device.name()).orElse("GPU");
			return new Gpu(name, sample.utilizationPercent(), sample.memoryUsed(), sample.memoryTotal(),
					sample.temperatureCelsius(), sample.powerWatts());
		}
	}

}
