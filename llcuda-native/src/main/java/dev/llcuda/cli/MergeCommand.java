package dev.llcuda.cli;

import dev.llcuda.engine.AdapterMerger;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code llcuda merge BASE.gguf --lora ADAPTER [--lora-scale S]... -o OUT.gguf}: LoRA
 * adapters merged into a copy of their base model's weights, in the order given.
 */
final class MergeCommand implements Command {

	@Override
	public String summary() {
		return "merge LoRA adapters (GGUF or PEFT) into a copy of their base model";
	}

	@Override
	public String usage() {
		return "BASE.gguf --lora ADAPTER.gguf|PEFT_DIR [--lora-scale S]... -o OUT.gguf";
	}

	@Override
	public int run(Arguments args, PrintStream out, PrintStream err) throws Exception {
		args.refuseOptionsOtherThan("--lora", "--lora-scale", "-o");
		Path base = Path.of(args.positional(0, "the base model BASE.gguf"));
		if (args.positional().size() > 1) {
			throw new UsageException("one base model is merged at a time; also given: "
					+ args.positional().subList(1, args.positional().size()));
		}
		Path target = Path.of(args.required("-o"));
		List<Path> paths = args.values("--lora").stream().map(Path::of).toList();
		if (paths.isEmpty()) {
			throw new UsageException("missing option --lora (the adapters to merge)");
		}
		List<Float> scales = LoadedModel.loraScales(args, paths.size());
		List<AdapterMerger.Lora> adapters = new ArrayList<>();
		for (int i = 0; i < paths.size(); i++) {
			adapters.add(new AdapterMerger.Lora(paths.get(i), scales.get(i)));
		}
		NativeLibrary library = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties());
		long start = System.nanoTime();
		new AdapterMerger(library).merge(base, adapters, target);
		out.printf("wrote %s (%d bytes, %d adapter%s merged) in %.1f s%n", target, Files.size(target), adapters.size(),
				adapters.size() == 1 ? "" : "s", (System.nanoTime() - start) / 1e9);
		return 0;
	}

}
