package dev.llcuda.engine;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.Adapter;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.BackendKind;
import dev.llcuda.nativelib.DeviceInfo;
import dev.llcuda.nativelib.Model;
import dev.llcuda.template.ChatTemplate;
import dev.llcuda.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The one place a served model is assembled: the GGUF file read (spec, tokenizer), its
 * chat template chosen, the weights copied onto a backend, a KV cache sized from the
 * options and the memory left, and an {@link Engine} started over them. Used by the
 * Spring runtime, the CLI and the benchmarks alike. Closing it (or {@link #shutdown})
 * stops the engine and frees model and cache. The native model keeps its backend alive,
 * so the caller may close its {@link Backend} handle as soon as {@code open} returned.
 */
public final class ModelEngine implements AutoCloseable {

	/**
	 * Share of the device's free memory (after the weights) the KV cache may take at
	 * most.
	 */
	public static final double KV_SHARE_OF_FREE_MEMORY = 0.9;

	private static final System.Logger logger = System.getLogger(ModelEngine.class.getName());

	/**
	 * How to open a model: the KV cache's shape and size, and the engine's limits.
	 *
	 * @param kvBlockSize token positions per KV block
	 * @param kvType element type of the KV cache
	 * @param kvBlocks explicit block count, or null to size the cache from
	 * {@code kvMemoryBytes}
	 * @param kvMemoryBytes memory for the KV cache when {@code kvBlocks} is null (capped
	 * on a GPU by {@link #KV_SHARE_OF_FREE_MEMORY} of what the weights leave free)
	 * @param engineConfig adjusts the default {@link EngineConfig} (limits, prefix
	 * caching, listener); its {@code maxRunningSequences} also caps the blocks worth
	 * allocating
	 * @param adapters LoRA adapters loaded beside the model, each request picking one or
	 * none by name
	 */
	public record Options(int kvBlockSize, KvType kvType, @Nullable Integer kvBlocks, long kvMemoryBytes,
			int contextLength, UnaryOperator<EngineConfig> engineConfig, List<AdapterFile> adapters) {

		/** Without adapters. */
		public Options(int kvBlockSize, KvType kvType, @Nullable Integer kvBlocks, long kvMemoryBytes,
				int contextLength, UnaryOperator<EngineConfig> engineConfig) {
			this(kvBlockSize, kvType, kvBlocks, kvMemoryBytes, contextLength, engineConfig, List.of());
		}

		public Options {
			adapters = List.copyOf(adapters);
			if (adapters.stream().map(AdapterFile::name).distinct().count() != adapters.size()) {
				throw new IllegalArgumentException("two adapters share a name: " + adapters);
			}
			if (kvBlockSize < 1 || (kvBlocks != null && kvBlocks < 1) || kvMemoryBytes < 1) {
				throw new IllegalArgumentException("KV block size, blocks and memory must be positive, got "
						+ kvBlockSize + ", " + kvBlocks + ", " + kvMemoryBytes);
			}
			if (contextLength < 0) {
				throw new IllegalArgumentException(
						"context length must be positive (0: the file's), got " + contextLength);
			}
		}

		/**
		 * Blocks of 16 positions, F16, 512 MiB of KV cache, the file's context, the
		 * default engine configuration.
		 */
		public static Options defaults() {
			return new Options(16, KvType.F16, null, 512L << 20, 0, UnaryOperator.identity());
		}

		public Options withKvBlockSize(int value) {
			return new Options(value, kvType, kvBlocks, kvMemoryBytes, contextLength, engineConfig, adapters);
		}

		public Options withKvType(KvType value) {
			return new Options(kvBlockSize, value, kvBlocks, kvMemoryBytes, contextLength, engineConfig, adapters);
		}

		public Options withKvBlocks(@Nullable Integer value) {
			return new Options(kvBlockSize, kvType, value, kvMemoryBytes, contextLength, engineConfig, adapters);
		}

		public Options withKvMemoryBytes(long value) {
			return new Options(kvBlockSize, kvType, kvBlocks, value, contextLength, engineConfig, adapters);
		}

		/**
		 * Positions the model runs with instead of the file's (see
		 * {@link ModelSpec#from(GgufFile, int)}); 0: the file's.
		 */
		public Options withContextLength(int value) {
			return new Options(kvBlockSize, kvType, kvBlocks, kvMemoryBytes, value, engineConfig, adapters);
		}

		public Options withEngineConfig(UnaryOperator<EngineConfig> value) {
			return new Options(kvBlockSize, kvType, kvBlocks, kvMemoryBytes, contextLength, value, adapters);
		}

		public Options withAdapters(List<AdapterFile> value) {
			return new Options(kvBlockSize, kvType, kvBlocks, kvMemoryBytes, contextLength, engineConfig, value);
		}
	}

	private final Path path;

	private final FileIdentity loadedFile;

	private final ModelSpec spec;

	private final Tokenizer tokenizer;

	private final ChatTemplate template;

	private final Engine engine;

	private final int kvBlocks;

	private final int kvBlockSize;

	private final long weightBytes;

	private final long adapterBytes;

	private ModelEngine(ModelFile file, ChatTemplate template, Engine engine, int kvBlocks, int kvBlockSize,
			long weightBytes, long adapterBytes) {
		this.adapterBytes = adapterBytes;
		this.path = file.path();
		this.loadedFile = file.identity();
		this.spec = file.spec();
		this.tokenizer = file.tokenizer();
		this.template = template;
		this.engine = engine;
		this.kvBlocks = kvBlocks;
		this.kvBlockSize = kvBlockSize;
		this.weightBytes = weightBytes;
	}

	/**
	 * @throws IOException when the file cannot be read or is not a model llcuda runs
	 * @throws IllegalArgumentException when its chat template does not compile
	 * @throws RuntimeException from the native library (refused spec, memory) or when no
	 * KV block fits, each naming what is wrong
	 */
	public static ModelEngine open(Backend backend, Path gguf, Options options) throws IOException {
		return open(backend, gguf, options, LoadListener.NONE);
	}

	/** {@link #open(Backend, Path, Options)}, telling {@code listener} how far it is. */
	public static ModelEngine open(Backend backend, Path gguf, Options options, LoadListener listener)
			throws IOException {
		long started = System.nanoTime();
		listener.progress(LoadListener.Phase.READING_FILE, 0, -1);
		ModelFile file = ModelFile.read(gguf, options.contextLength());
		if (file.spec().architecture().encoder()) {
			throw new IllegalArgumentException(gguf + " is an embedding model (" + file.spec().architecture().ggufName()
					+ "): it does not generate text; open it with EmbeddingEngine");
		}
		ChatTemplate template = ChatTemplate.forModel(file.metadata(), file.tokenizer());
		Tokenizer tokenizer = file.tokenizer();
		EngineConfig config = options.engineConfig()
			.apply(EngineConfig.defaults(new TokenizerDecoder(tokenizer), tokenizer.endOfGenerationIds()));
		listener.progress(LoadListener.Phase.COPYING_WEIGHTS, 0, -1);
		Model model = file.load(backend,
				(bytes, totalBytes) -> listener.progress(LoadListener.Phase.COPYING_WEIGHTS, bytes, totalBytes));
		Map<String, Adapter> adapters = new LinkedHashMap<>();
		try {
			listener.progress(LoadListener.Phase.STARTING_ENGINE, 0, -1);
			for (AdapterFile adapter : options.adapters()) {
				adapters.put(adapter.name(), AdapterLoader.load(model, file.spec(), adapter.path(), adapter.scale()));
			}
			long adapterBytes = adapters.values().stream().mapToLong(Adapter::bytes).sum();
			DeviceInfo device = backend.info();
			int blocks = kvBlocks(device, model, options, config.maxRunningSequences());
			long weightBytes = model.weightBytes();
			StepRunner runner = NativeStepRunner.create(model, blocks, options.kvBlockSize(), options.kvType(), model,
					adapters);
			ModelEngine opened = new ModelEngine(file, template, Engine.start(runner, config), blocks,
					options.kvBlockSize(), weightBytes, adapterBytes);
			ModelSpec spec = file.spec();
			long millis = (System.nanoTime() - started) / 1_000_000;
			logger.log(System.Logger.Level.INFO,
					() -> String.format(Locale.ROOT, "llcuda: loaded %s (%s, %s, %s, %d "
							+ "parameters) on %s in %d ms: %d MiB of weights, %d KV blocks of %d positions (%s), "
							+ "chat template %s", gguf, spec.name(), spec.architecture().ggufName(), spec.fileType(),
							spec.parameterCount(), device.kind() == BackendKind.CPU ? "the CPU" : device.name(), millis,
							weightBytes >> 20, blocks, options.kvBlockSize(), options.kvType(), template.name()));
			if (!adapters.isEmpty()) {
				logger.log(System.Logger.Level.INFO, () -> String.format(Locale.ROOT,
						"llcuda: LoRA adapters %s: %d KiB", adapters.keySet(), adapterBytes >> 10));
			}
			return opened;
		}
		catch (RuntimeException | IOException e) {
			adapters.values().forEach(Adapter::close);
			model.close();
			throw e;
		}
	}

	/**
	 * Explicit blocks, else the KV memory budget, capped by free device memory and by
	 * what the batch can use.
	 */
	private static int kvBlocks(DeviceInfo device, Model model, Options options, int maxRunningSequences) {
		if (options.kvBlocks() != null) {
			return options.kvBlocks();
		}
		int blockSize = options.kvBlockSize();
		long bytesPerBlock = model.kvCacheBytes(1, blockSize, options.kvType().abiValue());
		long budget = options.kvMemoryBytes();
		if (device.kind() != BackendKind.CPU) {
			budget = Math.min(budget, (long) (device.memoryFree() * KV_SHARE_OF_FREE_MEMORY));
		}
		long useful = (long) maxRunningSequences * ((model.contextLength() + blockSize - 1) / blockSize);
		long blocks = Math.min(useful, budget / bytesPerBlock);
		if (blocks < 1) {
			throw new IllegalStateException("no room for a KV cache: one block of " + blockSize + " positions takes "
					+ bytesPerBlock + " bytes but only " + budget + " bytes are available (llcuda.engine.kv-memory)");
		}
		return (int) Math.min(blocks, Integer.MAX_VALUE);
	}

	/**
	 * Device memory the model in {@code gguf} would take when opened with
	 * {@code options}: its weights and adapters plus the KV cache (explicit blocks, else
	 * the whole KV memory budget). An upper bound for deciding whether a second model
	 * fits beside the one serving.
	 */
	public static long memoryNeeded(Path gguf, Options options) throws IOException {
		ModelSpec spec = ModelFile.read(gguf, options.contextLength()).spec();
		long weights = spec.tensors().stream().mapToLong(TensorInfo::byteSize).sum();
		for (AdapterFile adapter : options.adapters()) {
			weights += AdapterLoader.tensorBytes(adapter.path());
		}
		if (options.kvBlocks() == null) {
			return weights + options.kvMemoryBytes();
		}
		// K and V of every layer; Q8_0 keeps 34 bytes per 32 values, F16 2 bytes per
		// value.
		long values = 2L * spec.layers() * options.kvBlockSize() * spec.keyValueDimensions();
		long perBlock = options.kvType() == KvType.Q8_0 ? (values + 31) / 32 * 34 : values * 2;
		return weights + options.kvBlocks() * perBlock;
	}

	/** The GGUF file served. */
	public Path path() {
		return path;
	}

	public ModelSpec spec() {
		return spec;
	}

	public Tokenizer tokenizer() {
		return tokenizer;
	}

	/** The file's chat template, or the family default when it has none. */
	public ChatTemplate template() {
		return template;
	}

	public Engine engine() {
		return engine;
	}

	/** KV-cache blocks allocated. */
	public int kvBlocks() {
		return kvBlocks;
	}

	/** Token positions per KV block. */
	public int kvBlockSize() {
		return kvBlockSize;
	}

	/** Backend memory the weights occupy. */
	public long weightBytes() {
		return weightBytes;
	}

	/** Backend memory the LoRA adapters occupy (0 without adapters). */
	public long adapterBytes() {
		return adapterBytes;
	}

	/**
	 * The version of the file the weights were copied from; {@link FileIdentity#changeOf}
	 * tells a later change.
	 */
	public FileIdentity loadedFile() {
		return loadedFile;
	}

	/**
	 * Lets requests in flight finish for up to {@code timeout}, cancels the rest, frees
	 * model and cache.
	 */
	public boolean shutdown(Duration timeout) {
		return engine.shutdown(timeout);
	}

	@Override
	public void close() {
		engine.close();
	}

}
