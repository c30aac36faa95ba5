package dev.llcuda.engine;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.Model;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.tokenizer.Tokenizer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Benchmark harness (not a test): where the engine thread's CPU time goes per step,
 * measured as thread CPU time so that other processes on a busy machine do not distort
 * it. The native CPU backend runs with one thread, so the whole forward pass runs on the
 * engine thread too; a decorator around the step call splits the thread's time into "in
 * the step call" (JNA marshalling, native forward pass, sampling) and "Java" (scheduling,
 * batch building, applying tokens, detokenizing, streaming). Run with a trivial model to
 * see the engine's overhead, and with a real-shaped model to see a decode step's cost:
 *
 * <pre>
 * java -cp llcuda-native/target/classes:llcuda-native/target/test-classes:llcuda-native/target/lib/* \
 *     dev.llcuda.engine.EngineOverheadBenchmark MODEL.gguf 1,4,16,64 PROMPT_TOKENS GEN_TOKENS [ROUNDS]
 * </pre>
 */
public final class EngineOverheadBenchmark {

	private EngineOverheadBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		Path gguf = Path.of(args[0]);
		int[] levels = java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
		int prompt = Integer.parseInt(args[2]);
		int gen = Integer.parseInt(args[3]);
		int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
		int maxLevel = java.util.Arrays.stream(levels).max().orElseThrow();
		ModelSpec spec;
		Tokenizer tokenizer;
		try (GgufFile file = GgufFile.open(gguf)) {
			spec = ModelSpec.from(file);
			tokenizer = Tokenizer.fromGguf(file.metadata());
		}
		try (Backend backend = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties()).cpuBackend(1)) {
			Model model = backend.loadModel(gguf, spec);
			int blocks = maxLevel * ((prompt + gen + 15) / 16) + 1;
			CpuTimedRunner runner = new CpuTimedRunner(NativeStepRunner.create(model, blocks, 16, KvType.F16, model));
			EngineConfig config = EngineConfig.defaults(new TokenizerDecoder(tokenizer), Set.of())
				.withLimits(maxLevel, Math.max(512, maxLevel), maxLevel)
				.withPrefixCaching(false);
			try (Engine engine = Engine.start(runner, config)) {
				ThreadMXBean threads = ManagementFactory.getThreadMXBean();
				long engineThread = Thread.getAllStackTraces()
					.keySet()
					.stream()
					.filter(t -> t.getName().equals("llcuda-engine"))
					.findFirst()
					.orElseThrow()
					.getId();
				System.out.printf(Locale.ROOT, "%s: %s, prompt %d, generate %d, 1 CPU thread%n", gguf.getFileName(),
						spec.name(), prompt, gen);
				System.out
					.println("| concurrency | round | steps | step call CPU µs/step | Java CPU µs/step | Java share |");
				System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: |");
				Random random = new Random(1);
				for (int level : levels) {
					for (int round = 1; round <= rounds; round++) {
						long stepsBefore = engine.stats().steps();
						long finishedBefore = engine.stats().finishedTotal();
						long threadBefore = threads.getThreadCpuTime(engineThread);
						long inStepBefore = runner.cpuNanos;
						List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
						for (int i = 0; i < level; i++) {
							int[] tokens = random.ints(prompt, 3, spec.vocabSize()).toArray();
							results.add(engine.submit(GenerationRequest.greedy(tokens, gen)).result());
						}
						CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).join();
						while (engine.stats().finishedTotal() - finishedBefore < level) {
							Thread.sleep(1);
						}
						long steps = engine.stats().steps() - stepsBefore;
						double inStep = (runner.cpuNanos - inStepBefore) / 1e3 / steps;
						double java = (threads.getThreadCpuTime(engineThread) - threadBefore) / 1e3 / steps - inStep;
						System.out.printf(Locale.ROOT, "| %d | %d | %d | %.1f | %.1f | %.3f%% |%n", level, round, steps,
								inStep, java, 100 * java / (java + inStep));
					}
				}
			}
		}
	}

	/** Adds up the engine thread's CPU time inside step calls. */
	private static final class CpuTimedRunner extends ForwardingStepRunner {

		private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

		volatile long cpuNanos;

		CpuTimedRunner(StepRunner delegate) {
			super(delegate);
		}

		@Override
		public void step(List<StepSequence> batch, int[] sampled) {
			long begin = threads.getCurrentThreadCpuTime();
			delegate.step(batch, sampled);
			cpuNanos += threads.getCurrentThreadCpuTime() - begin;
		}

	}

}
