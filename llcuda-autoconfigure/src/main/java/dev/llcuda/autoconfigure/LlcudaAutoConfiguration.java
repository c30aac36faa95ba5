package dev.llcuda.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.ai.model.SpringAIModelProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

import dev.llcuda.engine.AdapterFile;
import dev.llcuda.engine.AdapterMerger;
import dev.llcuda.engine.EmbeddingEngine;
import dev.llcuda.engine.EngineListener;
import dev.llcuda.gpu.CudaDevice;
import dev.llcuda.gpu.DeviceRequest;
import dev.llcuda.gpu.DeviceSelection;
import dev.llcuda.gpu.DeviceSelector;
import dev.llcuda.gpu.Nvml;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.runtime.ChatSlot;
import dev.llcuda.runtime.EmbeddingRuntime;
import dev.llcuda.runtime.EmbeddingSlot;
import dev.llcuda.runtime.EngineLimits;
import dev.llcuda.runtime.GpuMonitor;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.ModelLoader;
import dev.llcuda.runtime.ModelSet;
import dev.llcuda.runtime.NativeModelLoader;
import dev.llcuda.runtime.NativeRuntime;

/**
 * The llcuda runtime: the native library (verified, or refused with the reason), the
 * device (NVML and CUDA views; the CPU with one log line saying why when no supported GPU
 * is usable, or a start-up failure when {@code llcuda.gpu.required=true}) and the
 * engine's lifecycle.
 */
@AutoConfiguration
@EnableConfigurationProperties(LlcudaProperties.class)
public final class LlcudaAutoConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(LlcudaAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean
	NativeRuntime llcudaNativeRuntime(LlcudaProperties properties) {
		return NativeRuntime.load(nativeLibraryOptions(properties.getNative()));
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	GpuMonitor llcudaGpuMonitor(LlcudaProperties properties, NativeRuntime nativeRuntime) {
		LlcudaProperties.Gpu gpu = properties.getGpu();
		DeviceRequest request = gpu.request();
		StringBuilder noNvml = new StringBuilder();
		Optional<Nvml> nvml = gpu.isEnabled() ? Nvml.open(noNvml) : Optional.empty();
		DeviceSelection selection;
		try {
			selection = DeviceSelector.select(request, nativeRuntime.cudaInventory(), nvml);
		}
		catch (RuntimeException e) {
			nvml.ifPresent(Nvml::close);
			throw e;
		}
		logger.info("llcuda runs on {}{}", selection.reason(),
				!selection.isCpu() && nvml.isEmpty() ? " (no NVML: " + noNvml + "; GPU meters unavailable)" : "");
		return new GpuMonitor(nvml, selection, Clock.systemUTC());
	}

	@Bean
	@ConditionalOnMissingBean
	EngineLimits llcudaEngineLimits(LlcudaProperties properties, GpuMonitor gpu) {
		LlcudaProperties.Engine engine = properties.getEngine();
		DataSize kvMemory = engine.getKvMemory();
		return EngineLimits.of(gpu.selection().profile(), engine.getMaxRunningSequences(), engine.getMaxTokensPerStep(),
				engine.getMaxQueued(), engine.getKvBlockSize(), engine.getKvType(), engine.getKvBlocks(),
				kvMemory != null ? kvMemory.toBytes() : null, engine.getCpuThreads());
	}

	@Bean
	@ConditionalOnMissingBean
	ModelEntries llcudaModelEntries(LlcudaProperties properties, EngineLimits limits, Environment environment) {
		return ModelEntries.of(properties, limits, LlcudaChatAutoConfiguration.MODEL_NAME.equals(environment
			.getProperty(SpringAIModelProperties.EMBEDDING_MODEL, LlcudaChatAutoConfiguration.MODEL_NAME)));
	}

	@Bean
	@ConditionalOnMissingBean
	ModelLoader llcudaModelLoader(NativeRuntime nativeRuntime, GpuMonitor gpu, ModelEntries entries,
			ObjectProvider<EngineListener> listeners) {
		return loader(nativeRuntime, gpu, entries.defaultChat(), listeners.getIfUnique(() -> EngineListener.NONE));
	}

	/** The loader of one chat model, with its limits and file settings. */
	private static ModelLoader loader(NativeRuntime nativeRuntime, GpuMonitor gpu, ModelEntries.Entry entry,
			EngineListener listener) {
		LlcudaProperties.Model model = entry.model();
		Integer contextLength = model.getContextLength();
		return nativeRuntime.library()
			.<ModelLoader>map(library -> new NativeModelLoader(library, gpu.selection(), entry.limits(), listener,
					contextLength != null ? contextLength : 0, model.getCacheDir(),
					Optional.ofNullable(model.getQuantize()), adapters(entry), mergedAdapters(entry)))
			.orElseGet(() -> (file, progress) -> {
				throw new IllegalStateException("cannot load " + file + ": the native library is not loaded ("
						+ nativeRuntime.failure().orElse("") + ")");
			});
	}

	private static List<AdapterFile> adapters(ModelEntries.Entry entry) {
		List<AdapterFile> adapters = new ArrayList<>();
		String property = entry.name() != null ? "llcuda.models." + entry.name() : "llcuda.model";
		entry.model().getLora().forEach((name, lora) -> {
			if (lora.getPath() == null) {
				throw new IllegalArgumentException(property + ".lora." + name + ".path is not set");
			}
			adapters.add(new AdapterFile(name, lora.getPath(), lora.getScale()));
		});
		return adapters;
	}

	private static List<AdapterMerger.Lora> mergedAdapters(ModelEntries.Entry entry) {
		List<AdapterMerger.Lora> adapters = new ArrayList<>();
		String property = entry.name() != null ? "llcuda.models." + entry.name() : "llcuda.model";
		List<LlcudaProperties.Lora> configured = entry.model().getAdapters();
		for (int i = 0; i < configured.size(); i++) {
			Path path = configured.get(i).getPath();
			if (path == null) {
				throw new IllegalArgumentException(property + ".adapters[" + i + "].path is not set");
			}
			adapters.add(new AdapterMerger.Lora(path, configured.get(i).getScale()));
		}
		return adapters;
	}

	@Bean
	@ConditionalOnMissingBean
	LlcudaRuntime llcudaRuntime(LlcudaProperties properties, NativeRuntime nativeRuntime, ModelLoader loader,
			ModelEntries entries) {
		return runtime(properties, nativeRuntime, loader, entries.defaultChat());
	}

	private static LlcudaRuntime runtime(LlcudaProperties properties, NativeRuntime nativeRuntime, ModelLoader loader,
			ModelEntries.Entry entry) {
		LlcudaRuntime runtime = new LlcudaRuntime(loader, nativeRuntime.failure().orElse(null), entry.path(),
				properties.getEngine().getShutdownTimeout());
		Duration verifyInterval = entry.model().getVerifyInterval();
		if (verifyInterval != null) {
			runtime.verifyDigestEvery(verifyInterval);
		}
		return runtime;
	}

	/**
	 * Every configured model: the default chat model's runtime, a runtime of its own for
	 * each other chat model, and the embedding models (opened here), checked against the
	 * memory budget first.
	 */
	@Bean
	@ConditionalOnMissingBean
	ModelSet llcudaModels(LlcudaProperties properties, NativeRuntime nativeRuntime, GpuMonitor gpu,
			ModelEntries entries, LlcudaRuntime runtime, ModelLoader loader, ObjectProvider<EngineListener> listeners) {
		EngineListener listener = listeners.getIfUnique(() -> EngineListener.NONE);
		List<ChatSlot> chats = new ArrayList<>();
		chats.add(new ChatSlot(entries.defaultChat().name(), runtime, entries.defaultChat().path(), loader));
		for (ModelEntries.Entry entry : entries.chats().subList(1, entries.chats().size())) {
			ModelLoader own = loader(nativeRuntime, gpu, entry, listener);
			chats.add(new ChatSlot(entry.name(), runtime(properties, nativeRuntime, own, entry), entry.path(), own));
		}
		List<EmbeddingSlot> embeddings = entries.embeddings()
			.stream()
			.map(entry -> embeddingSlot(nativeRuntime, gpu, entry))
			.toList();
		return ModelSet.open(chats, embeddings, memoryBudget(properties, gpu, entries));
	}

	private static EmbeddingSlot embeddingSlot(NativeRuntime nativeRuntime, GpuMonitor gpu, ModelEntries.Entry entry) {
		String property = entry.name() != null ? "llcuda.models." + entry.name() + ".path" : "llcuda.embedding.path";
		return new EmbeddingSlot(entry.name(), entry.path(), file -> EmbeddingRuntime.open(nativeRuntime.library()
			.orElseThrow(() -> new IllegalStateException(property + " is set but the native library is not loaded ("
					+ nativeRuntime.failure().orElse("") + "): cannot open the embedding model " + file)),
				gpu.selection(), file, entry.limits().cpuThreads(), entry.embedding()), file -> {
					try {
						return EmbeddingEngine.memoryNeeded(file);
					}
					catch (IOException e) {
						throw new UncheckedIOException(
								"cannot read the embedding model " + file + ": " + e.getMessage(), e);
					}
				});
	}

	/**
	 * llcuda.memory-budget, else the GPU's free memory when several models start
	 * together; none for one model alone (its KV budget is capped by what its weights
	 * leave free) or on the CPU.
	 */
	private static ModelSet.@Nullable MemoryBudget memoryBudget(LlcudaProperties properties, GpuMonitor gpu,
			ModelEntries entries) {
		DataSize budget = properties.getMemoryBudget();
		if (budget != null) {
			return new ModelSet.MemoryBudget(budget.toBytes(), "llcuda.memory-budget");
		}
		long starting = Stream.concat(entries.chats().stream(), entries.embeddings().stream())
			.filter(entry -> entry.path() != null)
			.count();
		CudaDevice cuda = gpu.selection().cuda();
		if (cuda == null || starting < 2) {
			return null;
		}
		return new ModelSet.MemoryBudget(cuda.memoryFree(),
				"free memory of GPU " + cuda.ordinal() + " (" + cuda.name() + ")");
	}

	static NativeLibraryOptions nativeLibraryOptions(LlcudaProperties.Native properties) {
		NativeLibraryOptions options = NativeLibraryOptions.defaults();
		if (properties.getCacheDir() != null) {
			options = options.withCacheDirectory(properties.getCacheDir());
		}
		if (properties.getLibraryPath() != null && properties.getDownloadUrl() != null) {
			throw new IllegalArgumentException(
					"set either llcuda.native.library-path or llcuda.native.download-url, " + "not both");
		}
		if (properties.getLibraryPath() != null) {
			options = options.withLocalBuild(properties.getLibraryPath(),
					require(properties.getLibrarySha256(), "llcuda.native.library-sha256", "library-path"));
		}
		if (properties.getDownloadUrl() != null) {
			options = options.withDownload(properties.getDownloadUrl(),
					require(properties.getDownloadSha256(), "llcuda.native.download-sha256", "download-url"));
		}
		return options;
	}

	private static String require(@Nullable String value, String property, String with) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(property + " is required with llcuda.native." + with);
		}
		return value;
	}

}
