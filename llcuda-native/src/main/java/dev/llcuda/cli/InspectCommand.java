package dev.llcuda.cli;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufFormatException;
import dev.llcuda.gguf.GgufMetadata;
import dev.llcuda.gguf.GgufValue;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.model.FileType;
import dev.llcuda.model.ModelSpec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code llcuda inspect MODEL.gguf}: the header, metadata, tensor table and model summary
 * of a GGUF file.
 */
final class InspectCommand implements Command {

	/** Arrays longer than this show their first elements and their length. */
	static final int MAX_ELEMENTS = 8;

	/** Strings longer than this (chat templates) show their start and their length. */
	static final int MAX_CHARS = 160;

	@Override
	public String summary() {
		return "show a GGUF file's metadata, tensors and model summary";
	}

	@Override
	public String usage() {
		return "MODEL.gguf";
	}

	@Override
	public int run(Arguments args, PrintStream out, PrintStream err) throws Exception {
		Path path = Path.of(args.positional(0, "the GGUF file"));
		if (!Files.isRegularFile(path)) {
			err.println("llcuda inspect: no such file: " + path);
			return 1;
		}
		try (GgufFile file = GgufFile.open(path)) {
			out.printf("file: %s%n", path);
			out.printf("GGUF version %d, alignment %d, data offset %d, file size %d bytes%n", file.version(),
					file.alignment(), file.dataOffset(), file.fileSize());
			GgufMetadata metadata = file.metadata();
			out.printf("%nmetadata: %d keys%n", metadata.size());
			int keyWidth = metadata.keys().stream().mapToInt(String::length).max().orElse(0);
			for (String key : metadata.keys()) {
				var value = metadata.get(key);
				out.printf("  %-" + keyWidth + "s  %-15s  %s%n", key, value.typeName(),
						value.display(MAX_ELEMENTS, MAX_CHARS));
			}
			out.printf("%ntensors: %d%n", file.tensors().size());
			int nameWidth = file.tensors().stream().mapToInt(t -> t.name().length()).max().orElse(0);
			for (TensorInfo t : file.tensors()) {
				out.printf("  %-" + nameWidth + "s  %-7s  %-18s  offset %12d  size %12d%n", t.name(), t.type(),
						t.shape(), t.offset(), t.byteSize());
			}
			summary(file, out);
		}
		return 0;
	}

	private static void summary(GgufFile file, PrintStream out) {
		GgufMetadata metadata = file.metadata();
		out.printf("%nsummary:%n");
		String arch = metadata.find("general.architecture")
			.map(v -> v instanceof GgufValue.Text text ? text.value() : v.display())
			.orElse("(not set)");
		out.printf("  architecture:    %s%n", arch);
		out.printf("  parameters:      %d (%s)%n", file.elementCount(), abbreviated(file.elementCount()));
		out.printf("  file type:       %s%n",
				metadata.find(FileType.KEY)
					.map(v -> v instanceof GgufValue.Int id ? FileType.label(id.value()) : v.display())
					.orElse("(not set)"));
		out.printf("  context length:  %s%n",
				metadata.find(arch + ".context_length").map(GgufValue::display).orElse("(not set)"));
		out.printf("  vocabulary size: %s%n",
				metadata.arrayLength("tokenizer.ggml.tokens")
					.stream()
					.mapToObj(Long::toString)
					.findFirst()
					.orElse("(no vocabulary)"));
		try {
			ModelSpec spec = ModelSpec.from(file);
			out.printf(
					"  model:           %s: layers %d, heads %d (KV %d) of size %d, embedding %d, feed-forward %d,"
							+ " RoPE %s theta %s%n",
					spec.name(), spec.layers(), spec.heads(), spec.kvHeads(), spec.headSize(), spec.embeddingSize(),
					spec.feedForwardSize(), spec.ropeType(), spec.ropeTheta());
			out.printf("  engine:          can run this model%n");
		}
		catch (GgufFormatException e) {
			out.printf("  engine:          cannot run this file: %s%n", e.getMessage());
		}
	}

	private static String abbreviated(long count) {
		if (count >= 1_000_000_000L) {
			return String.format("%.2fB", count / 1e9);
		}
		if (count >= 1_000_000L) {
			return String.format("%.2fM", count / 1e6);
		}
		return String.format("%.2fK", count / 1e3);
	}

}
