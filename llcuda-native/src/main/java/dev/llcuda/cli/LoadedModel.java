package dev.llcuda.cli;

import dev.llcuda.engine.AdapterLoader;
import dev.llcuda.engine.ModelFile;
import dev.llcuda.nativelib.Adapter;
import dev.llcuda.hf.CheckpointConverter;
import dev.llcuda.hf.ConvertedModelCache;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.Batch;
import dev.llcuda.nativelib.Model;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A GGUF model loaded for one CLI command ({@code --model}) on the CPU or a CUDA device
 * ({@code --device cpu|cuda|cuda:N}, CPU threads {@code --threads}), with its tokenizer, through
 * {@link ModelFile} as every served model is (commands that step the model themselves). The native
 * library comes from {@link NativeLibraryOptions#fromSystemProperties()} (overridable with
 * {@code LLCUDA_JAVA_OPTS="-Dllcuda.native.path=... -Dllcuda.native.sha256=..."}).
 */
final class LoadedModel implements AutoCloseable {

    /** The context option, for the commands' usage lines. */
    static final String CONTEXT_USAGE = "[--context-length N]";
    /** The options {@link #open} reads, for the commands' usage lines. */
    static final String USAGE = "--model MODEL.gguf|HF-DIR [--quantize TYPE] [--cache-dir DIR] [--device cpu|cuda[:N]] "
            + "[--threads N] " + CONTEXT_USAGE + " [--lora ADAPTER.gguf|PEFT_DIR [--lora-scale S]]";

    private static final Pattern CUDA_DEVICE = Pattern.compile("cuda(?::(\\d{1,3}))?");

    final Tokenizer tokenizer;
    final Model model;
    /** {@code --lora}: the LoRA adapter every sequence of the command runs with; null: none. */
    final @Nullable Adapter adapter;

    private LoadedModel(Tokenizer tokenizer, Model model, @Nullable Adapter adapter) {
        this.tokenizer = tokenizer;
        this.model = model;
        this.adapter = adapter;
    }

    /** Adds {@code --lora}'s adapter, if any, to sequence {@code seq} of {@code batch}. */
    void applyAdapter(Batch batch, int seq) {
        if (adapter != null) {
            batch.adapter(seq, adapter);
        }
    }

    static LoadedModel open(Arguments args) throws Exception {
        String device = args.option("--device").orElse("cpu");
        String threadOption = args.option("--threads").orElse("0");
        if (!threadOption.matches("\\d{1,4}")) {
            throw new UsageException("--threads must be a thread count (0: all cores), not '" + threadOption + "'");
        }
        int threads = Integer.parseInt(threadOption);
        Optional<Path> lora = loraPath(args);
        float loraScale = args.floatOption("--lora-scale", 1f);
        NativeLibrary library = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties());
        ModelFile file = ModelFile.read(modelFile(args, library), contextLength(args));
        try (Backend backend = backend(library, device, threads)) {
            Model model = file.load(backend); // the model keeps its backend alive
            try {
                Adapter adapter = lora.isPresent() ? AdapterLoader.load(model, file.spec(), lora.get(), loraScale) : null;
                return new LoadedModel(file.tokenizer(), model, adapter);
            } catch (Exception e) {
                model.close();
                throw e;
            }
        }
    }

    /** {@code --lora} (once: stacking adapters on one sequence is not supported); {@code --lora-scale} only with it. */
    private static Optional<Path> loraPath(Arguments args) throws UsageException {
        List<String> loras = args.values("--lora");
        if (loras.size() > 1) {
            throw new UsageException("--lora is given " + loras.size() + " times; one adapter per run (stacking several"
                    + " adapters on one sequence is not supported yet)");
        }
        if (args.values("--lora-scale").size() > (loras.isEmpty() ? 0 : 1)) {
            throw new UsageException("--lora-scale needs one --lora and may be given once");
        }
        if (args.option("--lora-scale").isPresent() && !Float.isFinite(args.floatOption("--lora-scale", 1f))) {
            throw new UsageException("--lora-scale must be a finite number");
        }
        return loras.stream().findFirst().map(Path::of);
    }

    /**
     * The GGUF file of {@code --model}: the file itself, or for a Hugging Face model directory its conversion
     * (weights in {@code --quantize TYPE}, else as stored), made once and kept in {@code --cache-dir}
     * (default {@code ~/.cache/llcuda/models}).
     */
    static Path modelFile(Arguments args, NativeLibrary library) throws Exception {
        Path model = Path.of(args.required("--model"));
        Path folder = args.option("--cache-dir").map(Path::of).orElseGet(ConvertedModelCache::defaultFolder);
        return new ConvertedModelCache(folder, new CheckpointConverter(library))
                .resolve(model, ConvertCommand.quantization(args, "--quantize"));
    }

    /**
     * {@code --context-length N}: positions to run with instead of the file's context length (more only
     * as far as the file's RoPE scaling reaches); absent: the file's (0).
     */
    static int contextLength(Arguments args) throws UsageException {
        int contextLength = args.intOption("--context-length", 0);
        if (args.option("--context-length").isPresent() && contextLength < 1) {
            throw new UsageException("--context-length must be at least 1, not " + contextLength);
        }
        return contextLength;
    }

    private static Backend backend(NativeLibrary library, String device, int threads) throws UsageException {
        if (device.equals("cpu")) {
            return library.cpuBackend(threads);
        }
        Matcher cuda = CUDA_DEVICE.matcher(device);
        if (!cuda.matches()) {
            throw new UsageException("--device must be cpu, cuda or cuda:N, not '" + device + "'");
        }
        return library.cudaBackend(cuda.group(1) == null ? 0 : Integer.parseInt(cuda.group(1)));
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
        if (adapter != null) {
            adapter.close();
        }
        model.close();
    }
}
