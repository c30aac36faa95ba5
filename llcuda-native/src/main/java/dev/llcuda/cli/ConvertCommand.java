package dev.llcuda.cli;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.hf.CheckpointConverter;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code llcuda convert --model DIR --out FILE.gguf [--type T]}: a Hugging Face model
 * directory as a GGUF file.
 */
final class ConvertCommand implements Command {

	@Override
	public String summary() {
		return "write a Hugging Face model directory (safetensors) as a GGUF file";
	}

	@Override
	public String usage() {
		return "--model DIR --out FILE.gguf [--type F16|BF16|Q8_0|Q4_K|...]";
	}

	@Override
	public int run(Arguments args, PrintStream out, PrintStream err) throws Exception {
		Path directory = Path.of(args.required("--model"));
		Path target = Path.of(args.required("--out"));
		if (!CheckpointConverter.isModelDirectory(directory)) {
			throw new UsageException(directory + " is not a Hugging Face model directory (a folder with config.json)");
		}
		Optional<GgmlType> type = type(args);
		NativeLibrary library = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties());
		long start = System.nanoTime();
		new CheckpointConverter(library).convert(directory, target, type);
		out.printf("wrote %s (%d bytes, %s) in %.1f s%n", target, Files.size(target),
				type.map(Enum::name).orElse("weights as stored"), (System.nanoTime() - start) / 1e9);
		return 0;
	}

	/** {@code --type} (case-insensitive), empty when absent. */
	static Optional<GgmlType> type(Arguments args) throws UsageException {
		return quantization(args, "--type");
	}

	static Optional<GgmlType> quantization(Arguments args, String option) throws UsageException {
		Optional<String> name = args.option(option);
		if (name.isEmpty()) {
			return Optional.empty();
		}
		try {
			return Optional.of(CheckpointConverter.outputType(name.get()));
		}
		catch (IllegalArgumentException e) {
			throw new UsageException(option + ": " + e.getMessage());
		}
	}

}
