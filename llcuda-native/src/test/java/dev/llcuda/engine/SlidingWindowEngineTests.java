package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.model.FamilyParameters;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.Model;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * KV blocks of a model whose every layer slides (Mistral v0.1 style) go back to the pool
 * once no window of their sequence reaches them: on the real CPU backend, micro-llama
 * with a window of 20 over blocks of 16, greedy with log-probabilities (the logits'
 * values) compared bit for bit with the same model keeping every block.
 */
class SlidingWindowEngineTests {

	private static final Path MODEL = Path.of(System.getProperty("llcuda.testdata", "../shared/testdata"), "models",
			"micro-llama-f32.gguf");

	private static final int BLOCK = 16;

	private static final int WINDOW = 20;

	/**
	 * Blocks a sequence holds at most: positions p - 19 .. p span at most three blocks of
	 * 16.
	 */
	private static final int HELD_PER_SEQUENCE = 3;

	private static Backend backend;

	private static ModelSpec plain;

	private static ModelSpec windowed;

	private static EngineConfig config;

	@BeforeAll
	static void loadLibrary() throws Exception {
		backend = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties()).cpuBackend(1);
		Tokenizer tokenizer;
		try (GgufFile file = GgufFile.open(MODEL)) {
			plain = ModelSpec.from(file);
			tokenizer = Tokenizer.fromGguf(file.metadata());
		}
		windowed = withWindow(plain, WINDOW);
		// No end of generation: every request runs to its max tokens.
		config = EngineConfig.defaults(new TokenizerDecoder(tokenizer), Set.of()).withLimits(16, 128, 1000);
	}

	@AfterAll
	static void freeBackend() {
		backend.close();
	}

	/**
	 * The spec with every layer sliding through {@code window} positions, as a Mistral
	 * v0.1 file states it.
	 */
	private static ModelSpec withWindow(ModelSpec s, int window) {
		return new ModelSpec(s.architecture(), s.name(), s.vocabSize(), s.embeddingSize(), s.layers(), s.heads(),
				s.kvHeads(), s.headSize(), s.feedForwardSize(), s.contextLength(), s.ropeType(), s.ropeDimensions(),
				s.ropeTheta(), s.ropeFreqScale(), s.normEpsilon(), s.fileType(), s.parameterCount(), s.tensors(),
				s.ropeScaling(), new FamilyParameters(0, 0, 0, 0, window, 0, 0, 0), s.pooling(), s.experts());
	}

	private static StepRunner runner(ModelSpec spec, int blocks) {
		Model model = backend.loadModel(MODEL, spec);
		return NativeStepRunner.create(model, blocks, BLOCK, KvType.F16, model);
	}

	private static int[] prompt(int seed, int length) {
		return IntStream.range(0, length)
			.map(i -> 3 + Math.floorMod(seed * 31 + i * 17 + i * i, plain.vocabSize() - 3))
			.toArray();
	}

	private static GenerationRequest request(int seed, int promptLength, int maxTokens) {
		return GenerationRequest.greedy(prompt(seed, promptLength), maxTokens).withLogprobs(2);
	}

	private static List<GenerationResult> runAlone(StepRunner runner, List<GenerationRequest> requests)
			throws Exception {
		List<GenerationResult> results = new ArrayList<>();
		try (Engine engine = Engine.start(runner, config.withLimits(1, 128, 10))) {
			for (GenerationRequest request : requests) {
				results.add(engine.submit(request).result().get(60, TimeUnit.SECONDS));
			}
		}
		return results;
	}

	@Test
	void aLongGenerationHoldsAtMostTheBlocksItsWindowSpans() throws Exception {
		GenerationRequest request = request(1, 10, 230);
		BlockWatcher watcher = new BlockWatcher(runner(windowed, 16));
		try (Engine engine = watcher.start()) {
			GenerationResult windowedResult = engine.submit(request).result().get(60, TimeUnit.SECONDS);
			assertEquals(230, windowedResult.generatedTokens());
			assertTrue(watcher.steps.get() > 200);
			assertTrue(watcher.maxUsed.get() <= HELD_PER_SEQUENCE, "used up to " + watcher.maxUsed.get() + " blocks");
			assertEquals(0, engine.stats().kvBlocksUsed());
			// The same model keeping every block computes the same logits.
			assertEquals(runAlone(new KeepsEveryBlock(runner(windowed, 16)), List.of(request)).get(0), windowedResult);
			// ... and the window matters: without it the text differs.
			assertNotEquals(runAlone(runner(plain, 16), List.of(request)).get(0).text(), windowedResult.text());
		}
	}

	@Test
	void freedBlocksServeOtherSequencesWithoutChangingAnyOutput() throws Exception {
		List<GenerationRequest> requests = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			requests.add(request(10 + i, 40, 150));
		}
		List<GenerationResult> alone = runAlone(new KeepsEveryBlock(runner(windowed, 64)), requests);
		// 24 blocks: six sequences of 190 positions need 72 without freeing, 18 with.
		BlockWatcher watcher = new BlockWatcher(runner(windowed, 24));
		try (Engine engine = watcher.start()) {
			List<RequestHandle> handles = requests.stream().map(engine::submit).toList();
			for (int i = 0; i < handles.size(); i++) {
				assertEquals(alone.get(i), handles.get(i).result().get(60, TimeUnit.SECONDS), "request " + i);
			}
			assertEquals(0, engine.stats().preemptedTotal());
			assertTrue(watcher.maxUsed.get() <= 6 * HELD_PER_SEQUENCE, "used up to " + watcher.maxUsed.get());
		}
		// Control: keeping every block, the same load runs out of blocks and preempts.
		try (Engine engine = Engine.start(new KeepsEveryBlock(runner(windowed, 24)), config)) {
			List<RequestHandle> handles = requests.stream().map(engine::submit).toList();
			for (int i = 0; i < handles.size(); i++) {
				assertEquals(alone.get(i), handles.get(i).result().get(60, TimeUnit.SECONDS), "request " + i);
			}
			assertTrue(engine.stats().preemptedTotal() > 0);
		}
	}

	@Test
	void aSharedPromptLongerThanTheWindowIsStillServedFromThePrefixCache() throws Exception {
		int[] system = prompt(3, 96);
		List<GenerationRequest> requests = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			int[] prompt = IntStream.concat(IntStream.of(system), IntStream.of(prompt(100 + i, 7))).toArray();
			requests.add(GenerationRequest.greedy(prompt, 30).withLogprobs(2));
		}
		List<GenerationResult> uncached = new ArrayList<>();
		try (Engine engine = Engine.start(new KeepsEveryBlock(runner(windowed, 64)), config.withPrefixCaching(false))) {
			for (GenerationRequest request : requests) {
				uncached.add(engine.submit(request).result().get(60, TimeUnit.SECONDS));
			}
		}
		try (Engine engine = Engine.start(runner(windowed, 64), config)) {
			for (int i = 0; i < requests.size(); i++) {
				assertEquals(uncached.get(i), engine.submit(requests.get(i)).result().get(60, TimeUnit.SECONDS),
						"request " + i);
			}
			// The system prompt's six blocks were released by the first request (out of
			// its window)
			// and are found again, still cached, by the seven others.
			assertEquals(7.0 * 96 / (8 * 103), engine.stats().prefixCacheHitRate(), 1e-12);
		}
	}

	/**
	 * The windowed model as an engine sees a model whose layers see the whole context: no
	 * block is freed early.
	 */
	private static final class KeepsEveryBlock extends ForwardingStepRunner {

		KeepsEveryBlock(StepRunner delegate) {
			super(delegate);
		}

		@Override
		public int kvWindow() {
			return 0;
		}

		@Override
		public void step(List<StepSequence> batch, int[] sampled, @Nullable TokenLogprobs[] logprobs) {
			delegate.step(batch, sampled, logprobs);
		}

	}

	/**
	 * Records, at every step, the blocks in use after the step before (the engine
	 * publishes them after each step).
	 */
	private static final class BlockWatcher extends ForwardingStepRunner {

		final AtomicReference<Engine> engine = new AtomicReference<>();

		final AtomicInteger maxUsed = new AtomicInteger();

		final AtomicInteger steps = new AtomicInteger();

		BlockWatcher(StepRunner delegate) {
			super(delegate);
		}

		Engine start() {
			Engine started = Engine.start(this, config);
			engine.set(started);
			return started;
		}

		@Override
		public void step(List<StepSequence> batch, int[] sampled, @Nullable TokenLogprobs[] logprobs) {
			Engine e = engine.get();
			if (e != null) {
				maxUsed.accumulateAndGet(e.stats().kvBlocksUsed(), Math::max);
			}
			steps.incrementAndGet();
			delegate.step(batch, sampled, logprobs);
		}

	}

}
