package dev.llcuda.actuate;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import dev.llcuda.engine.EngineStats;
import dev.llcuda.gpu.CudaDevice;
import dev.llcuda.gpu.DeviceSelection;
import dev.llcuda.gpu.GpuSample;
import dev.llcuda.gpu.NvmlDevice;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.runtime.ChatSlot;
import dev.llcuda.runtime.EmbeddingSlot;
import dev.llcuda.runtime.GpuMonitor;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.LoadProgress;
import dev.llcuda.runtime.ModelKind;
import dev.llcuda.runtime.ModelSet;
import dev.llcuda.runtime.NativeRuntime;
import dev.llcuda.runtime.RuntimeState;
import dev.llcuda.runtime.ServingModel;

/**
 * Health of llcuda: UP while a model is served and the engine runs, OUT_OF_SERVICE while
 * a model loads or none is loaded, DOWN when the native library, the model load or the
 * engine failed. Details name the device, the native library, the model, and queue and
 * KV-cache pressure; with several models, {@code models} gives each one's kind, state and
 * file, and a failed one makes the health DOWN.
 */
public final class LlcudaHealthIndicator extends AbstractHealthIndicator {

	private final LlcudaRuntime runtime;

	private final ModelSet models;

	private final NativeRuntime nativeRuntime;

	private final GpuMonitor gpu;

	public LlcudaHealthIndicator(ModelSet models, NativeRuntime nativeRuntime, GpuMonitor gpu) {
		super("llcuda health check failed");
		this.models = models;
		this.runtime = models.defaultChat();
		this.nativeRuntime = nativeRuntime;
		this.gpu = gpu;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		RuntimeState state = this.runtime.state();
		switch (state) {
			case READY -> builder.up();
			case FAILED -> builder.down().withDetail("error", this.runtime.failure().orElse("unknown"));
			case RECOVERING -> {
				builder.down();
				this.runtime.recovery()
					.ifPresent(recovery -> builder.withDetail("error", recovery.lastError())
						.withDetail("recovery", Map.of("model", recovery.model().toString(), "attempt",
								recovery.attempt(), "nextAttempt", recovery.nextAttempt().toString())));
			}
			case LOADING -> builder.outOfService();
			case NO_MODEL -> builder.outOfService()
				.withDetail("model", "none loaded")
				.withDetail("howToLoad", LlcudaRuntime.HOW_TO_LOAD);
			case STOPPED -> builder.outOfService();
		}
		builder.withDetail("state", state.name());
		this.runtime.loadProgress().ifPresent(progress -> builder.withDetail("loading", loading(progress)));
		builder.withDetail("device", device(this.gpu.selection()));
		builder.withDetail("nativeLibrary", nativeLibrary());
		this.runtime.serving().ifPresent(model -> {
			builder.withDetail("model", model(model, this.runtime.servedFileChange()));
			builder.withDetail("engine", engine(model.engine().stats(), model));
		});
		if (this.models.chats().size() + this.models.embeddings().size() > 1) {
			builder.withDetail("models", models());
			if (state == RuntimeState.READY && this.models.chats()
				.stream()
				.map(slot -> slot.runtime().state())
				.anyMatch(other -> other == RuntimeState.FAILED || other == RuntimeState.RECOVERING)) {
				builder.down();
			}
		}
	}

	/**
	 * Each model of the set by name: its kind, state, file and, for a chat model, its
	 * engine.
	 */
	private Map<String, Object> models() {
		Map<String, Object> details = new LinkedHashMap<>();
		for (ChatSlot slot : this.models.chats()) {
			Map<String, Object> model = new LinkedHashMap<>();
			model.put("kind", ModelKind.CHAT.label());
			model.put("state", slot.runtime().state().name());
			slot.runtime().failure().ifPresent(failure -> model.put("error", failure));
			slot.runtime().serving().ifPresent(serving -> {
				model.put("path", serving.path().toString());
				model.put("engine", engine(serving.engine().stats(), serving));
			});
			details.put(slot.name().orElse("(none loaded)"), model);
		}
		for (EmbeddingSlot slot : this.models.embeddings()) {
			Map<String, Object> model = new LinkedHashMap<>();
			model.put("kind", ModelKind.EMBEDDING.label());
			model.put("state", slot.serving().isPresent() ? RuntimeState.READY.name() : RuntimeState.NO_MODEL.name());
			slot.servedFile().ifPresent(path -> model.put("path", path.toString()));
			slot.serving().ifPresent(serving -> model.put("dimensions", serving.engine().dimensions()));
			details.put(slot.name().orElse("(embedding, none loaded)"), model);
		}
		return details;
	}

	private Map<String, Object> device(DeviceSelection selection) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("selected", selection.reason());
		details.put("profile", selection.profile().name());
		CudaDevice cuda = selection.cuda();
		if (cuda != null) {
			details.put("name", cuda.name());
			details.put("uuid", cuda.uuid());
			details.put("computeCapability", cuda.capability().toString());
			details.put("cudaDriver", cuda.driverVersionText());
			details.put("memoryTotalBytes", cuda.memoryTotal());
		}
		if (selection.severalDevices()) {
			details.put("devices", selection.cudaDevices().stream().map(LlcudaHealthIndicator::deviceDetails).toList());
		}
		NvmlDevice nvml = selection.nvml();
		if (nvml != null) {
			details.put("driver", nvml.driverVersion());
		}
		this.gpu.sample().ifPresent(sample -> putSample(details, sample));
		return details;
	}

	/** One of several devices a model is split over, as CUDA reported it at start-up. */
	private static Map<String, Object> deviceDetails(CudaDevice device) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("ordinal", device.ordinal());
		details.put("name", device.name());
		details.put("uuid", device.uuid());
		details.put("computeCapability", device.capability().toString());
		details.put("memoryTotalBytes", device.memoryTotal());
		details.put("memoryFreeBytes", device.memoryFree());
		return details;
	}

	private static void putSample(Map<String, Object> details, GpuSample sample) {
		details.put("memoryUsedBytes", (long) sample.memoryUsed());
		details.put("utilizationPercent", sample.utilizationPercent());
		details.put("temperatureCelsius", sample.temperatureCelsius());
		details.put("powerWatts", sample.powerWatts());
	}

	private Map<String, Object> nativeLibrary() {
		Map<String, Object> details = new LinkedHashMap<>();
		NativeLibrary library = this.nativeRuntime.library().orElse(null);
		if (library != null) {
			details.put("path", library.path().toString());
			details.put("sha256", library.sha256());
			details.put("build", library.buildInfo());
		}
		else {
			details.put("error", this.nativeRuntime.failure().orElse("not loaded"));
		}
		return details;
	}

	private static Map<String, Object> loading(LoadProgress progress) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("path", progress.file().toString());
		details.put("phase", progress.phase().name());
		details.put("bytes", progress.bytes());
		details.put("totalBytes", progress.totalBytes());
		details.put("percent", progress.percent());
		details.put("startedAt", progress.startedAt().toString());
		return details;
	}

	private static Map<String, Object> model(ServingModel model, Optional<String> fileChange) {
		ModelSpec spec = model.spec();
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("name", spec.name());
		details.put("path", model.path().toString());
		details.put("architecture", spec.architecture().ggufName());
		details.put("quantization", spec.fileType());
		details.put("parameters", spec.parameterCount());
		details.put("contextLength", spec.contextLength());
		details.put("ropeScaling", spec.ropeScaling().type().name().toLowerCase(Locale.ROOT));
		details.put("weightBytes", model.weightBytes());
		details.put("chatTemplate", model.template().name());
		fileChange.ifPresent(change -> details.put("fileChanged",
				change + "; serving continues from the copy loaded, activate the model again to load the new file"));
		return details;
	}

	private static Map<String, Object> engine(EngineStats stats, ServingModel model) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("state", stats.state().name());
		details.put("queued", stats.queued());
		details.put("running", stats.running());
		details.put("kvBlocksUsed", stats.kvBlocksUsed());
		details.put("kvBlocksTotal", stats.kvBlocksTotal());
		details.put("kvBlockSize", model.kvBlockSize());
		details.put("kvCacheUsage",
				stats.kvBlocksTotal() == 0 ? 0.0 : (double) stats.kvBlocksUsed() / stats.kvBlocksTotal());
		details.put("prefixCacheHitRate", stats.prefixCacheHitRate());
		return details;
	}

}
