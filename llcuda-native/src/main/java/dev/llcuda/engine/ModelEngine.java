package dev.llcuda.engine;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.KvType;
import dev.llcuda.nativelib.Model;
import dev.llcuda.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * A GGUF model loaded on a backend and served by an {@link Engine}: reads the file's spec and
 * tokenizer, loads the weights, creates the KV cache and starts the engine with the tokenizer's
 * detokenizer and end-of-generation ids. Closing it stops the engine and frees model and cache;
 * the backend stays with the caller.
 */
public final class ModelEngine implements AutoCloseable {

    private final ModelSpec spec;
    private final Tokenizer tokenizer;
    private final Engine engine;

    private ModelEngine(ModelSpec spec, Tokenizer tokenizer, Engine engine) {
        this.spec = spec;
        this.tokenizer = tokenizer;
        this.engine = engine;
    }

    /**
     * @param contextLength positions the model runs with; 0: the file's ({@link ModelSpec#from(GgufFile, int)})
     * @param kvBlocks  blocks of the KV cache
     * @param blockSize token positions per block
     * @param configure adjusts the default {@link EngineConfig} (limits, prefix caching, listener)
     */
    public static ModelEngine open(Backend backend, Path gguf, int contextLength, int kvBlocks, int blockSize,
                                   UnaryOperator<EngineConfig> configure) throws IOException {
        ModelSpec spec;
        Tokenizer tokenizer;
        try (GgufFile file = GgufFile.open(gguf)) {
            spec = ModelSpec.from(file, contextLength);
            tokenizer = Tokenizer.fromGguf(file.metadata());
        }
        Model model = backend.loadModel(gguf, spec);
        StepRunner runner;
        try {
            runner = NativeStepRunner.create(model, kvBlocks, blockSize, KvType.F16, model);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        EngineConfig config = configure.apply(
                EngineConfig.defaults(new TokenizerDecoder(tokenizer), tokenizer.endOfGenerationIds()));
        return new ModelEngine(spec, tokenizer, Engine.start(runner, config));
    }

    public ModelSpec spec() {
        return spec;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Engine engine() {
        return engine;
    }

    @Override
    public void close() {
        engine.close();
    }
}
