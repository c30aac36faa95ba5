package dev.llcuda.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import dev.llcuda.engine.EngineListener;
import dev.llcuda.engine.ModelEngine;
import dev.llcuda.gpu.DeviceSelection;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.NativeLibrary;

/**
 * Loads models onto the selected device through {@link ModelEngine#open}, with the engine limits
 * in effect.
 */
public final class NativeModelLoader implements ModelLoader {

    private final NativeLibrary library;

    private final DeviceSelection device;

    private final ModelEngine.Options options;

    private final int cpuThreads;

    /**
     * @param contextLength positions every model runs with (llcuda.model.context-length); 0: each file's own
     */
    public NativeModelLoader(NativeLibrary library, DeviceSelection device, EngineLimits limits,
            EngineListener listener, int contextLength) {
        this.library = library;
        this.device = device;
        this.options = ModelEngine.Options.defaults()
                .withKvBlockSize(limits.kvBlockSize())
                .withKvType(limits.kvType())
                .withKvBlocks(limits.kvBlocks())
                .withKvMemoryBytes(limits.kvMemoryBytes())
                .withContextLength(contextLength)
                .withEngineConfig(config -> config
                        .withLimits(limits.maxRunningSequences(), limits.maxTokensPerStep(), limits.maxQueued())
                        .withPrefixCaching(true)
                        .withListener(listener));
        this.cpuThreads = limits.cpuThreads();
    }

    @Override
    public ServingModel load(Path gguf) {
        try (Backend backend = backend()) {
            return ServingModel.of(ModelEngine.open(backend, gguf, this.options));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + gguf + ": " + e.getMessage(), e);
        }
    }

    /** On the CPU always; on a GPU when its free memory holds the new model's weights and KV cache. */
    @Override
    public boolean fitsBesideCurrent(Path gguf) {
        if (this.device.isCpu()) {
            return true;
        }
        try (Backend backend = backend()) {
            long needed = ModelEngine.memoryNeeded(gguf, this.options);
            return needed <= backend.info().memoryFree();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + gguf + ": " + e.getMessage(), e);
        }
    }

    private Backend backend() {
        return DeviceBackends.open(this.library, this.device, this.cpuThreads);
    }
}
