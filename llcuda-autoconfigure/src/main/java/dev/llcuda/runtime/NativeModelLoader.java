package dev.llcuda.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.llcuda.engine.Engine;
import dev.llcuda.engine.EngineConfig;
import dev.llcuda.engine.EngineListener;
import dev.llcuda.engine.NativeStepRunner;
import dev.llcuda.engine.StepRunner;
import dev.llcuda.engine.TokenizerDecoder;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufMetadata;
import dev.llcuda.gpu.DeviceSelection;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.Model;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.template.ChatTemplate;
import dev.llcuda.template.TemplateException;
import dev.llcuda.template.TemplateFamily;
import dev.llcuda.tokenizer.Tokenizer;

/**
 * Loads a GGUF model onto the selected device: spec, tokenizer and chat template from the file,
 * weights through the native library, a KV cache sized by the limits and the memory left, and
 * an engine over them.
 */
public final class NativeModelLoader implements ModelLoader {

    /** Share of the device's free memory (after the weights) the KV cache may take at most. */
    static final double KV_SHARE_OF_FREE_MEMORY = 0.9;

    private static final Logger logger = LoggerFactory.getLogger(NativeModelLoader.class);

    private final NativeLibrary library;
    private final DeviceSelection device;
    private final EngineLimits limits;
    private final EngineListener listener;
    private final int contextLength;

    /**
     * @param contextLength positions every model runs with (llcuda.model.context-length); 0: each file's own
     */
    public NativeModelLoader(NativeLibrary library, DeviceSelection device, EngineLimits limits,
            EngineListener listener, int contextLength) {
        this.library = library;
        this.device = device;
        this.limits = limits;
        this.listener = listener;
        this.contextLength = contextLength;
    }

    @Override
    public ServingModel load(Path gguf) {
        ModelSpec spec;
        Tokenizer tokenizer;
        ChatTemplate template;
        try (GgufFile file = GgufFile.open(gguf)) {
            spec = ModelSpec.from(file, this.contextLength);
            tokenizer = Tokenizer.fromGguf(file.metadata());
            template = chatTemplate(file.metadata(), tokenizer, spec);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + gguf + ": " + e.getMessage(), e);
        }
        Backend backend = this.device.cudaDevice().map(cuda -> this.library.cudaBackend(cuda.ordinal()))
                .orElseGet(() -> this.library.cpuBackend(this.limits.cpuThreads()));
        Model model = null;
        try {
            model = backend.loadModel(gguf, spec);
            Model loaded = model;
            int blocks = kvBlocks(backend, model);
            EngineConfig config = new EngineConfig(this.limits.maxRunningSequences(), this.limits.maxTokensPerStep(),
                    this.limits.maxQueued(), true, tokenizer.endOfGenerationIds(), new TokenizerDecoder(tokenizer),
                    this.listener);
            long weightBytes = model.weightBytes();
            StepRunner runner = NativeStepRunner.create(model, blocks, this.limits.kvBlockSize(), this.limits.kvType(), () -> {
                loaded.close();
                backend.close();
            });
            Engine engine = Engine.start(runner, config);
            logger.info("llcuda: {} on {}: {} KV blocks of {} positions ({}), {} MiB of weights", spec.name(),
                    this.device.isCpu() ? "the CPU" : this.device.cuda().name(), blocks, this.limits.kvBlockSize(),
                    this.limits.kvType(), weightBytes >> 20);
            return new ServingModel(gguf, spec, tokenizer, template, engine, blocks, this.limits.kvBlockSize(),
                    weightBytes);
        } catch (RuntimeException e) {
            if (model != null) {
                model.close();
            }
            backend.close();
            throw e;
        }
    }

    /** Explicit blocks, else the KV memory budget, capped by free device memory and by what the batch can use. */
    private int kvBlocks(Backend backend, Model model) {
        int blockSize = this.limits.kvBlockSize();
        long bytesPerBlock = model.kvCacheBytes(1, blockSize, this.limits.kvType());
        if (this.limits.kvBlocks() != null) {
            return this.limits.kvBlocks();
        }
        long budget = this.limits.kvMemoryBytes();
        if (!this.device.isCpu()) {
            budget = Math.min(budget, (long) (backend.info().memoryFree() * KV_SHARE_OF_FREE_MEMORY));
        }
        long useful = (long) this.limits.maxRunningSequences() * ((model.contextLength() + blockSize - 1) / blockSize);
        long blocks = Math.min(useful, budget / bytesPerBlock);
        if (blocks < 1) {
            throw new IllegalStateException("no room for a KV cache: one block of " + blockSize + " positions takes "
                    + bytesPerBlock + " bytes but only " + budget + " bytes are available (llcuda.engine.kv-memory)");
        }
        return (int) Math.min(blocks, Integer.MAX_VALUE);
    }

    /** The file's own template, or the built-in one of the family its vocabulary suggests. */
    static ChatTemplate chatTemplate(GgufMetadata metadata, Tokenizer tokenizer, ModelSpec spec) {
        String source = metadata.string("tokenizer.chat_template").orElse(null);
        if (source != null) {
            try {
                return ChatTemplate.compile(spec.name(), source);
            } catch (TemplateException e) {
                throw new IllegalArgumentException("the chat template of " + spec.name() + " does not compile: "
                        + e.getMessage(), e);
            }
        }
        TemplateFamily family = TemplateFamily.detect(spec.architecture().ggufName(),
                metadata.string("tokenizer.ggml.pre").orElse(null), tokenizer::hasToken);
        logger.info("llcuda: {} has no chat template (tokenizer.chat_template); using the built-in {} template",
                spec.name(), family);
        return ChatTemplate.defaultFor(family);
    }
}
