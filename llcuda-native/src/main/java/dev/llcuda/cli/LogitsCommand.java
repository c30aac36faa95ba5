package dev.llcuda.cli;

import dev.llcuda.engine.KvType;
import dev.llcuda.nativelib.Batch;
import dev.llcuda.nativelib.KvCache;
import dev.llcuda.nativelib.StepOutput;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

/**
 * {@code llcuda logits}: the logits of every position of a prompt, in the format of the
 * reference files (line 1 the token ids, then one line of {@code %g} logits per position;
 * gzip when the output name ends in {@code .gz}).
 */
final class LogitsCommand implements Command {

	private static final int BLOCK_SIZE = 16;

	@Override
	public String summary() {
		return "write the logits of every prompt position (reference file format)";
	}

	@Override
	public String usage() {
		return LoadedModel.USAGE + " (--tokens \"1 2 3\" | --prompt TEXT) --out FILE";
	}

	@Override
	public int run(Arguments args, PrintStream out, PrintStream err) throws Exception {
		Path target = Path.of(args.required("--out"));
		if (args.option("--tokens").isPresent() == args.option("--prompt").isPresent()) {
			throw new UsageException("give exactly one of --tokens and --prompt");
		}
		try (LoadedModel loaded = LoadedModel.open(args)) {
			int[] tokens = args.option("--tokens").isPresent() ? parseTokens(args.required("--tokens"))
					: loaded.tokenizer.encode(args.required("--prompt"), true, false);
			if (tokens.length == 0 || tokens.length > loaded.model.contextLength()) {
				throw new UsageException("the prompt has " + tokens.length + " tokens; the context holds "
						+ loaded.model.contextLength());
			}
			int blocks = LoadedModel.blocksFor(tokens.length, BLOCK_SIZE);
			Batch batch = new Batch(blocks);
			batch.addSequence(tokens, 0, tokens.length, 0, LoadedModel.identityBlockTable(blocks), blocks);
			loaded.applyAdapter(batch, 0);
			batch.logits(0, true);
			StepOutput output = new StepOutput();
			try (KvCache cache = loaded.model.createKvCache(blocks, BLOCK_SIZE, KvType.F16.abiValue())) {
				loaded.model.step(cache, batch, output);
			}
			write(target, tokens, output);
			err.println(
					"llcuda logits: " + tokens.length + " positions x " + output.vocabSize() + " logits -> " + target);
		}
		return 0;
	}

	static int[] parseTokens(String text) throws UsageException {
		try {
			return Arrays.stream(text.trim().split("[\\s,]+")).mapToInt(Integer::parseInt).toArray();
		}
		catch (NumberFormatException e) {
			throw new UsageException("--tokens must be integers separated by spaces: " + e.getMessage());
		}
	}

	private static void write(Path target, int[] tokens, StepOutput output) throws IOException {
		try (OutputStream file = Files.newOutputStream(target);
				OutputStream stream = target.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(file)
						: file;
				Writer writer = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.US_ASCII),
						1 << 16)) {
			writer.write(Arrays.stream(tokens).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
			writer.write('\n');
			float[] row = new float[output.vocabSize()];
			for (int position = 0; position < output.logitRows(); position++) {
				output.logitsRow(position, row);
				for (int i = 0; i < row.length; i++) {
					if (i > 0) {
						writer.write(' ');
					}
					writer.write(CFloatFormat.g(row[i]));
				}
				writer.write('\n');
			}
		}
	}

}
