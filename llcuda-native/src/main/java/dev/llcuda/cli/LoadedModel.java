package dev.llcuda.cli;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.Model;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.tokenizer.Tokenizer;
import java.nio.file.Path;

/**
 * A GGUF model loaded for one CLI command on the CPU backend, with its tokenizer. The native
 * library comes from {@link NativeLibraryOptions#fromSystemProperties()} (overridable with
 * {@code LLCUDA_JAVA_OPTS="-Dllcuda.native.path=... -Dllcuda.native.sha256=..."}).
 */
final class LoadedModel implements AutoCloseable {

    final ModelSpec spec;
    final Tokenizer tokenizer;
    final Model model;
    private final Backend backend;

    private LoadedModel(ModelSpec spec, Tokenizer tokenizer, Backend backend, Model model) {
        this.spec = spec;
        this.tokenizer = tokenizer;
        this.backend = backend;
        this.model = model;
    }

    /** Loads {@code gguf} with {@code threads} CPU threads ({@code <= 0}: all cores). */
    static LoadedModel open(Path gguf, int threads) throws Exception {
        ModelSpec spec;
        Tokenizer tokenizer;
        try (GgufFile file = GgufFile.open(gguf)) {
            spec = ModelSpec.from(file);
            tokenizer = Tokenizer.fromGguf(file.metadata());
        }
        NativeLibrary library = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties());
        Backend backend = library.cpuBackend(threads);
        try {
            return new LoadedModel(spec, tokenizer, backend, backend.loadModel(gguf, spec));
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** Blocks of {@code blockSize} positions that hold {@code positions} positions. */
    static int blocksFor(int positions, int blockSize) {
        return (positions + blockSize - 1) / blockSize;
    }

    /** The block table 0, 1, ..., {@code blocks - 1}: one sequence owning a whole cache. */
    static int[] identityBlockTable(int blocks) {
        int[] table = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            table[i] = i;
        }
        return table;
    }

    @Override
    public void close() {
        model.close();
        backend.close();
    }
}
