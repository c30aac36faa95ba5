package dev.llcuda.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.util.unit.DataSize;

import dev.llcuda.engine.AdapterFile;
import dev.llcuda.engine.EngineListener;
import dev.llcuda.gpu.DeviceRequest;
import dev.llcuda.gpu.DeviceSelection;
import dev.llcuda.gpu.DeviceSelector;
import dev.llcuda.gpu.Nvml;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.runtime.EngineLimits;
import dev.llcuda.runtime.GpuMonitor;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.ModelLoader;
import dev.llcuda.runtime.NativeModelLoader;
import dev.llcuda.runtime.NativeRuntime;

/**
 * The llcuda runtime: the native library (verified, or refused with the reason), the device
 * (NVML and CUDA views; the CPU with one log line saying why when no supported GPU is usable,
 * or a start-up failure when {@code llcuda.gpu.required=true}) and the engine's lifecycle.
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
        DeviceRequest request = new DeviceRequest(gpu.isEnabled(), gpu.getDevice(), gpu.isRequired());
        StringBuilder noNvml = new StringBuilder();
        Optional<Nvml> nvml = gpu.isEnabled() ? Nvml.open(noNvml) : Optional.empty();
        DeviceSelection selection;
        try {
            selection = DeviceSelector.select(request, nativeRuntime.cudaInventory(), nvml);
        } catch (RuntimeException e) {
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
        return EngineLimits.of(gpu.selection().profile(), engine.getMaxRunningSequences(),
                engine.getMaxTokensPerStep(), engine.getMaxQueued(), engine.getKvBlockSize(), engine.getKvType(),
                engine.getKvBlocks(),
                kvMemory != null ? kvMemory.toBytes() : null, engine.getCpuThreads());
    }

    @Bean
    @ConditionalOnMissingBean
    ModelLoader llcudaModelLoader(LlcudaProperties properties, NativeRuntime nativeRuntime, GpuMonitor gpu,
            EngineLimits limits, ObjectProvider<EngineListener> listeners) {
        EngineListener listener = listeners.getIfUnique(() -> EngineListener.NONE);
        Integer contextLength = properties.getModel().getContextLength();
        return nativeRuntime.library()
                .<ModelLoader>map(library -> new NativeModelLoader(library, gpu.selection(), limits, listener,
                        contextLength != null ? contextLength : 0, properties.getModel().getCacheDir(),
                        Optional.ofNullable(properties.getModel().getQuantize()), adapters(properties.getModel())))
                .orElseGet(() -> (file, progress) -> {
                    throw new IllegalStateException("cannot load " + file + ": the native library is not loaded ("
                            + nativeRuntime.failure().orElse("") + ")");
                });
    }

    private static List<AdapterFile> adapters(LlcudaProperties.Model model) {
        List<AdapterFile> adapters = new ArrayList<>();
        model.getLora().forEach((name, lora) -> {
            if (lora.getPath() == null) {
                throw new IllegalArgumentException("llcuda.model.lora." + name + ".path is not set");
            }
            adapters.add(new AdapterFile(name, lora.getPath(), lora.getScale()));
        });
        return adapters;
    }

    @Bean
    @ConditionalOnMissingBean
    LlcudaRuntime llcudaRuntime(LlcudaProperties properties, NativeRuntime nativeRuntime, ModelLoader loader) {
        Path model = properties.getModel().getPath();
        LlcudaRuntime runtime = new LlcudaRuntime(loader, nativeRuntime.failure().orElse(null), model,
                properties.getEngine().getShutdownTimeout());
        Duration verifyInterval = properties.getModel().getVerifyInterval();
        if (verifyInterval != null) {
            runtime.verifyDigestEvery(verifyInterval);
        }
        return runtime;
    }

    static NativeLibraryOptions nativeLibraryOptions(LlcudaProperties.Native properties) {
        NativeLibraryOptions options = NativeLibraryOptions.defaults();
        if (properties.getCacheDir() != null) {
            options = options.withCacheDirectory(properties.getCacheDir());
        }
        if (properties.getLibraryPath() != null && properties.getDownloadUrl() != null) {
            throw new IllegalArgumentException("set either llcuda.native.library-path or llcuda.native.download-url, "
                    + "not both");
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

    private static String require(String value, String property, String with) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(property + " is required with llcuda.native." + with);
        }
        return value;
    }
}
