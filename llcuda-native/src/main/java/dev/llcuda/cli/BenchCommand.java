package dev.llcuda.cli;

import dev.llcuda.engine.Engine;
import dev.llcuda.engine.EngineStats;
import dev.llcuda.engine.GenerationRequest;
import dev.llcuda.engine.GenerationResult;
import dev.llcuda.engine.ModelEngine;
import dev.llcuda.engine.RequestHandle;
import dev.llcuda.grammar.Constraints;
import dev.llcuda.grammar.Grammars;
import dev.llcuda.grammar.TokenMasks;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code llcuda bench}: serving throughput and latency through the Java engine. For each
 * concurrency level, that many requests of random prompts start together and each
 * generates exactly the asked number of tokens (end-of-generation ids ignored); prints
 * aggregate generated tokens/s, time to first token and inter-token latency percentiles,
 * and where the engine thread's time went: wall time in model step calls versus the Java
 * work around them, and the thread's CPU time (which, unlike wall time, other processes
 * on a busy machine do not inflate; with {@code --threads 1} the native step runs wholly
 * on that thread).
 */
final class BenchCommand implements Command {

	private static final int BLOCK_SIZE = 16;

	@Override
	public String summary() {
		return "measure serving throughput and latency through the engine at several concurrency levels";
	}

	@Override
	public String usage() {
		return "--model MODEL.gguf|HF-DIR [--quantize TYPE] [--cache-dir DIR] [--concurrency 1,4,16,64] [--prompt-tokens 128] [--gen-tokens 128]"
				+ " [--backend cpu|cuda] [--device 0] [--threads N] [--step-tokens 512] [--schema SCHEMA.json] "
				+ LoadedModel.CONTEXT_USAGE;
	}

	@Override
	public int run(Arguments args, PrintStream out, PrintStream err) throws Exception {
		int[] levels = levels(args.option("--concurrency").orElse("1,4,16,64"));
		int promptTokens = positive(args, "--prompt-tokens", 128);
		int genTokens = positive(args, "--gen-tokens", 128);
		int stepTokens = positive(args, "--step-tokens", 512);
		String backendName = args.option("--backend").orElse("cpu");
		int maxLevel = Arrays.stream(levels).max().orElseThrow();
		int blocks = maxLevel * LoadedModel.blocksFor(promptTokens + genTokens, BLOCK_SIZE) + 1;
		LatencySamples latencies = new LatencySamples();
		NativeLibrary library = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties());
		Path gguf = LoadedModel.modelFile(args, library);
		try (Backend backend = switch (backendName) {
			case "cpu" -> library.cpuBackend(args.intOption("--threads", 0));
			case "cuda" -> library.cudaBackend(args.intOption("--device", 0));
			default -> throw new UsageException("--backend must be cpu or cuda, not " + backendName);
		};
				ModelEngine served = ModelEngine.open(backend, gguf,
						ModelEngine.Options.defaults()
							.withKvBlockSize(BLOCK_SIZE)
							.withKvBlocks(blocks)
							.withContextLength(LoadedModel.contextLength(args))
							.withEngineConfig(config -> config.withLimits(maxLevel, stepTokens, maxLevel)
								.withPrefixCaching(false)
								.withEndOfGeneration(Set.of())
								.withListener(latencies)))) {
			Engine engine = served.engine();
			if (promptTokens + genTokens > engine.contextLimit()) {
				throw new UsageException("prompt plus generated tokens (" + (promptTokens + genTokens)
						+ ") exceed the context of " + engine.contextLimit());
			}
			out.printf(Locale.ROOT, "llcuda bench: %s (%s), backend %s (%s), prompt %d tokens, generate %d tokens%n",
					gguf.getFileName(), served.spec().name(), backendName, backend.info().name(), promptTokens,
					genTokens);
			Optional<TokenMasks> constraint = args.option("--schema")
				.map(Path::of)
				.map(file -> new Constraints(served.tokenizer()).masks(new Grammars().jsonSchema(readSchema(file))));
			constraint.ifPresent(c -> out.println("constrained decoding: every request under the JSON schema of "
					+ args.option("--schema").orElseThrow()));
			Random random = new Random(42);
			runLevel(engine, 1, Math.min(8, promptTokens), 4, random, constraint); // warm-up:
																					// JIT
																					// and
																					// native
																					// code
																					// paths
			out.println("| concurrency | generated tok/s | TTFT p50 ms | TTFT p99 ms | ITL p50 ms | ITL p99 ms"
					+ " | steps | step ms (model) | engine µs/step (Java) | Java share | engine thread CPU µs/step |");
			out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
			EngineThreadClock clock = EngineThreadClock.find();
			for (int level : levels) {
				latencies.clear();
				EngineStats before = engine.stats();
				long cpuBefore = clock.cpuNanos();
				long start = System.nanoTime();
				runLevel(engine, level, promptTokens, genTokens, random, constraint);
				double seconds = (System.nanoTime() - start) / 1e9;
				EngineStats after = awaitStepsPublished(engine, before, level);
				long steps = after.steps() - before.steps();
				double stepMillis = (after.stepNanosTotal() - before.stepNanosTotal()) / 1e6 / steps;
				double javaMicros = (after.schedulingNanosTotal() - before.schedulingNanosTotal()) / 1e3 / steps;
				double cpuMicros = (clock.cpuNanos() - cpuBefore) / 1e3 / steps;
				out.printf(Locale.ROOT,
						"| %d | %.1f | %.1f | %.1f | %.2f | %.2f | %d | %.3f | %.1f | %.3f%% | %.1f |%n", level,
						(double) level * genTokens / seconds, latencies.firstTokenMillis(50),
						latencies.firstTokenMillis(99), latencies.interTokenMillis(50), latencies.interTokenMillis(99),
						steps, stepMillis, javaMicros, 100 * javaMicros / 1e3 / (stepMillis + javaMicros / 1e3),
						cpuMicros);
			}
		}
		return 0;
	}

	/**
	 * Submits {@code count} requests at once and waits for all; each must generate
	 * exactly {@code gen} tokens.
	 */
	private static void runLevel(Engine engine, int count, int prompt, int gen, Random random,
			Optional<TokenMasks> constraint) throws Exception {
		List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
		int vocab = Math.max(4, engine.vocabSize());
		for (int i = 0; i < count; i++) {
			int[] tokens = random.ints(prompt, 3, vocab).toArray();
			GenerationRequest request = GenerationRequest.greedy(tokens, gen);
			RequestHandle handle = engine.submit(constraint.map(request::withConstraint).orElse(request));
			results.add(handle.result());
		}
		for (CompletableFuture<GenerationResult> result : results) {
			GenerationResult done = result.get();
			if (done.generatedTokens() != gen) {
				throw new IllegalStateException(
						"a benchmark request ended after " + done.generatedTokens() + " of " + gen + " tokens: "
								+ done.finishReason() + done.error().map(e -> " (" + e.getMessage() + ")").orElse(""));
			}
		}
	}

	/**
	 * The engine publishes its counters after the step whose results completed the last
	 * request.
	 */
	private static String readSchema(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot read the schema " + file + ": " + e.getMessage(), e);
		}
	}

	private static EngineStats awaitStepsPublished(Engine engine, EngineStats before, int requests)
			throws InterruptedException {
		EngineStats stats = engine.stats();
		while (stats.finishedTotal() - before.finishedTotal() < requests) {
			Thread.sleep(1);
			stats = engine.stats();
		}
		return stats;
	}

	private static int[] levels(String list) throws UsageException {
		try {
			int[] levels = Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
			if (levels.length == 0 || Arrays.stream(levels).anyMatch(l -> l < 1)) {
				throw new UsageException("--concurrency needs positive integers, e.g. 1,4,16,64: " + list);
			}
			return levels;
		}
		catch (NumberFormatException e) {
			throw new UsageException("--concurrency needs comma-separated integers, e.g. 1,4,16,64: " + list);
		}
	}

	private static int positive(Arguments args, String name, int fallback) throws UsageException {
		int value = args.intOption(name, fallback);
		if (value < 1) {
			throw new UsageException(name + " must be at least 1: " + value);
		}
		return value;
	}

}
