package dev.llcuda.cli;

import dev.llcuda.engine.GenerationRequest;
import dev.llcuda.engine.InvalidRequestException;
import dev.llcuda.engine.KvType;
import dev.llcuda.engine.SamplingParams;
import dev.llcuda.nativelib.Batch;
import dev.llcuda.nativelib.KvCache;
import dev.llcuda.nativelib.StepOutput;
import dev.llcuda.tokenizer.StreamingDecoder;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;

/**
 * {@code llcuda generate}: continues a prompt (text, or token ids used as given) on the
 * CPU, printing text as it is generated (UTF-8 safe incremental decoding) or the
 * generated token ids, then token counts and speeds on stderr.
 */
final class GenerateCommand implements Command {

	private static final int BLOCK_SIZE = 16;

	/**
	 * The prompt is fed in steps of at most this many tokens (bounds the step's
	 * activations).
	 */
	private static final int PROMPT_CHUNK = 256;

	@Override
	public String summary() {
		return "generate text from a prompt, streamed as it is produced";
	}

	@Override
	public String usage() {
		return LoadedModel.USAGE + " (--prompt TEXT | --tokens \"1 2 3\") [--output text|ids] [-n TOKENS="
				+ GenerationRequest.DEFAULT_MAX_TOKENS + "] [--temp " + SamplingParams.DEFAULT_TEMPERATURE
				+ "] [--seed S] [--top-k " + SamplingParams.DEFAULT_TOP_K + "] [--top-p " + SamplingParams.DEFAULT_TOP_P
				+ "] [--min-p " + SamplingParams.DEFAULT_MIN_P + "]";
	}

	@Override
	public int run(Arguments args, PrintStream out, PrintStream err) throws Exception {
		if (args.option("--tokens").isPresent() == args.option("--prompt").isPresent()) {
			throw new UsageException("give exactly one of --tokens and --prompt");
		}
		String format = args.option("--output").orElse("text");
		if (!format.equals("text") && !format.equals("ids")) {
			throw new UsageException("--output must be text or ids: " + format);
		}
		boolean printIds = format.equals("ids");
		int maxTokens = args.intOption("-n", GenerationRequest.DEFAULT_MAX_TOKENS);
		long seed = args.longOption("--seed", System.nanoTime() & Long.MAX_VALUE);
		SamplingParams defaults = SamplingParams.defaults(seed);
		SamplingParams params;
		try {
			params = defaults.withTemperature(args.floatOption("--temp", defaults.temperature()))
				.withTopK(args.intOption("--top-k", defaults.topK()))
				.withTopP(args.floatOption("--top-p", defaults.topP()))
				.withMinP(args.floatOption("--min-p", defaults.minP()));
		}
		catch (InvalidRequestException e) {
			throw new UsageException(e.getMessage());
		}
		if (maxTokens < 1) {
			throw new UsageException("-n must be at least 1");
		}
		try (LoadedModel loaded = LoadedModel.open(args)) {
			int[] prompted = args.option("--tokens").isPresent() ? LogitsCommand.parseTokens(args.required("--tokens"))
					: loaded.tokenizer.encode(args.required("--prompt"), true, false);
			int contextLength = loaded.model.contextLength();
			if (prompted.length == 0 || prompted.length >= contextLength) {
				throw new UsageException(
						"the prompt has " + prompted.length + " tokens; the context holds " + contextLength);
			}
			int positions = Math.min(contextLength, prompted.length + maxTokens);
			int blocks = LoadedModel.blocksFor(positions, BLOCK_SIZE);
			int[] blockTable = LoadedModel.identityBlockTable(blocks);
			Batch batch = new Batch(blocks);
			StepOutput output = new StepOutput();
			Set<Integer> stops = loaded.tokenizer.endOfGenerationIds();
			StreamingDecoder decoder = loaded.tokenizer.streamingDecoder();
			try (KvCache cache = loaded.model.createKvCache(blocks, BLOCK_SIZE, KvType.F16.abiValue())) {
				long start = System.nanoTime();
				for (int from = 0; from < prompted.length; from += PROMPT_CHUNK) {
					int count = Math.min(PROMPT_CHUNK, prompted.length - from);
					batch.clear();
					batch.addSequence(prompted, from, count, from, blockTable, blocks);
					loaded.applyAdapter(batch, 0);
					if (from + count == prompted.length) {
						batch.sample(0, params);
					}
					loaded.model.step(cache, batch, output);
				}
				long promptDone = System.nanoTime();
				int[] next = { sampled(output, prompted.length) };
				int generated = 0;
				int decodeSteps = 0;
				while (!stops.contains(next[0])) {
					out.print(printIds ? (generated == 0 ? "" : " ") + next[0] : decoder.push(next[0]));
					out.flush();
					generated++;
					int position = prompted.length + generated - 1;
					if (generated == maxTokens || position >= positions) {
						break;
					}
					batch.clear();
					batch.addSequence(next, 0, 1, position, blockTable, blocks);
					loaded.applyAdapter(batch, 0);
					batch.sample(0, params);
					loaded.model.step(cache, batch, output);
					next[0] = sampled(output, position + 1);
					decodeSteps++;
				}
				out.println(printIds ? "" : decoder.flush());
				double promptSeconds = seconds(promptDone - start);
				double decodeSeconds = seconds(System.nanoTime() - promptDone);
				err.println(String.format(Locale.ROOT,
						"llcuda generate: prompt %d tokens in %.2f s (%.1f tokens/s),"
								+ " generated %d tokens, %d decode steps in %.2f s (%.1f tokens/s), seed %d",
						prompted.length, promptSeconds, prompted.length / promptSeconds, generated, decodeSteps,
						decodeSeconds, decodeSteps / Math.max(decodeSeconds, 1e-9), seed));
			}
		}
		return 0;
	}

	/**
	 * The token sampled at {@code position}; fails when the model's logits there had no
	 * finite value.
	 */
	private static int sampled(StepOutput output, int position) {
		int token = output.sampled(0);
		if (token == StepOutput.NO_FINITE_LOGIT) {
			throw new IllegalStateException(
					"the model gave no finite logit for position " + position + " (NaN or infinite values)");
		}
		return token;
	}

	private static double seconds(long nanos) {
		return nanos / 1e9;
	}

}
