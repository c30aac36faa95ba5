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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GGUF model loaded for one CLI command ({@code --model}) on the CPU or a CUDA device
 * ({@code --device cpu|cuda|cuda:N}, CPU threads {@code --threads}) or over several CUDA
 * devices ({@code --devices 0,1}: planned and refused in this build), with its tokenizer,
 * through {@link ModelFile} as every served model is (commands that step the model
 * themselves). The native library comes from
 * {@link NativeLibraryOptions#fromSystemProperties()} (overridable with
 * {@code LLCUDA_JAVA_OPTS="-Dllcuda.native.path=... -Dllcuda.native.sha256=..."}).
 */
final class LoadedModel implements AutoCloseable {

	/** The context option, for the commands' usage lines. */
	static final String CONTEXT_USAGE = "[--context-length N]";

	/** The options {@link #open} reads, for the commands' usage lines. */
	static final String USAGE = "--model MODEL.gguf|HF-DIR [--quantize TYPE] [--cache-dir DIR] [--device cpu|cuda[:N] | --devices 0,1] "
			+ "[--threads N] " + CONTEXT_USAGE + " [--lora ADAPTER.gguf|PEFT_DIR [--lora-scale S]]...";

	private static final Pattern CUDA_DEVICE = Pattern.compile("cuda(?::(\\d{1,3}))?");

	private static final Pattern CUDA_DEVICES = Pattern.compile("\\d{1,3}(,\\d{1,3})*");

	final Tokenizer tokenizer;

	final Model model;

	/**
	 * {@code --lora}: the LoRA adapters every sequence of the command runs with, stacked;
	 * empty: none.
	 */
	final List<Adapter> adapters;

	private LoadedModel(Tokenizer tokenizer, Model model, List<Adapter> adapters) {
		this.tokenizer = tokenizer;
		this.model = model;
		this.adapters = List.copyOf(adapters);
	}

	/**
	 * Stacks {@code --lora}'s adapters, if any, on sequence {@code seq} of {@code batch}.
	 */
	void applyAdapter(Batch batch, int seq) {
		for (Adapter adapter : adapters) {
			batch.adapter(seq, adapter);
		}
	}

	static LoadedModel open(Arguments args) throws Exception {
		String threadOption = args.option("--threads").orElse("0");
		if (!threadOption.matches("\\d{1,4}")) {
			throw new UsageException("--threads must be a thread count (0: all cores), not '" + threadOption + "'");
		}
		int threads = Integer.parseInt(threadOption);
		List<Path> loras = loraPaths(args);
		List<Float> loraScales = loraScales(args, loras.size());
		NativeLibrary library = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties());
		ModelFile file = ModelFile.read(modelFile(args, library), contextLength(args));
		Model model = load(args, library, file, threads);
		try {
			List<Adapter> adapters = new ArrayList<>();
			try {
				for (int i = 0; i < loras.size(); i++) {
					adapters.add(AdapterLoader.load(model, file.spec(), loras.get(i), loraScales.get(i)));
				}
			}
			catch (Exception e) {
				adapters.forEach(Adapter::close);
				throw e;
			}
			return new LoadedModel(file.tokenizer(), model, adapters);
		}
		catch (Exception e) {
			model.close();
			throw e;
		}
	}

	/** Onto {@code --device}, or over {@code --devices} when they are several. */
	private static Model load(Arguments args, NativeLibrary library, ModelFile file, int threads)
			throws UsageException {
		List<Integer> devices = devices(args);
		if (devices.size() > 1) {
			return file.loadOnDevices(library, devices);
		}
		String device = devices.isEmpty() ? args.option("--device").orElse("cpu") : "cuda:" + devices.get(0);
		try (Backend backend = backend(library, device, threads)) {
			return file.load(backend); // the model keeps its backend alive
		}
	}

	/** {@code --devices 0,1}: CUDA ordinals, distinct; empty when not given. */
	private static List<Integer> devices(Arguments args) throws UsageException {
		Optional<String> value = args.option("--devices");
		if (value.isEmpty()) {
			return List.of();
		}
		if (args.option("--device").isPresent()) {
			throw new UsageException(
					"--device and --devices are both given: --device for one GPU, --devices for several");
		}
		if (!CUDA_DEVICES.matcher(value.get()).matches()) {
			throw new UsageException(
					"--devices must be CUDA ordinals separated by commas (0,1), not '" + value.get() + "'");
		}
		List<Integer> devices = Arrays.stream(value.get().split(",")).map(Integer::valueOf).toList();
		if (new HashSet<>(devices).size() != devices.size()) {
			throw new UsageException("--devices " + value.get() + " names a device twice");
		}
		return devices;
	}

	/**
	 * {@code --lora}, repeated to stack adapters (at most
	 * {@link Batch#MAX_ADAPTER_STACK}).
	 */
	private static List<Path> loraPaths(Arguments args) throws UsageException {
		List<String> loras = args.values("--lora");
		if (loras.size() > Batch.MAX_ADAPTER_STACK) {
			throw new UsageException("--lora is given " + loras.size() + " times; at most " + Batch.MAX_ADAPTER_STACK
					+ " adapters stack on one sequence");
		}
		return loras.stream().map(Path::of).toList();
	}

	/**
	 * {@code --lora-scale}: none (every adapter as trained) or one per {@code --lora}, in
	 * their order; finite.
	 */
	static List<Float> loraScales(Arguments args, int loras) throws UsageException {
		List<String> scales = args.values("--lora-scale");
		if (scales.isEmpty()) {
			return Collections.nCopies(loras, 1f);
		}
		if (scales.size() != loras) {
			throw new UsageException("--lora-scale is given " + scales.size() + " times for " + loras
					+ " --lora; give none or one per --lora, in the same order");
		}
		List<Float> values = new ArrayList<>();
		for (String scale : scales) {
			float value;
			try {
				value = Float.parseFloat(scale);
			}
			catch (NumberFormatException e) {
				value = Float.NaN;
			}
			if (!Float.isFinite(value)) {
				throw new UsageException("--lora-scale must be a finite number, not '" + scale + "'");
			}
			values.add(value);
		}
		return values;
	}

	/**
	 * The GGUF file of {@code --model}: the file itself, or for a Hugging Face model
	 * directory its conversion (weights in {@code --quantize TYPE}, else as stored), made
	 * once and kept in {@code --cache-dir} (default {@code ~/.cache/llcuda/models}).
	 */
	static Path modelFile(Arguments args, NativeLibrary library) throws Exception {
		Path model = Path.of(args.required("--model"));
		Path folder = args.option("--cache-dir").map(Path::of).orElseGet(ConvertedModelCache::defaultFolder);
		return new ConvertedModelCache(folder, new CheckpointConverter(library)).resolve(model,
				ConvertCommand.quantization(args, "--quantize"));
	}

	/**
	 * {@code --context-length N}: positions to run with instead of the file's context
	 * length (more only as far as the file's RoPE scaling reaches); absent: the file's
	 * (0).
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

	/**
	 * The block table 0, 1, ..., {@code blocks - 1}: one sequence owning a whole cache.
	 */
	static int[] identityBlockTable(int blocks) {
		int[] table = new int[blocks];
		for (int i = 0; i < blocks; i++) {
			table[i] = i;
		}
		return table;
	}

	@Override
	public void close() {
		adapters.forEach(Adapter::close);
		model.close();
	}

}
