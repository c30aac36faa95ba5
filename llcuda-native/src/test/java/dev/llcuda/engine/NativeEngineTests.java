package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.Model;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.tokenizer.Tokenizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine over the real native CPU backend and a shared micro model (greedy decoding).
 */
class NativeEngineTests {

	private static final Path MODEL = Path.of(System.getProperty("llcuda.testdata", "../shared/testdata"), "models",
			"micro-llama-f32.gguf");

	private static final int BLOCK = 16;

	private static Backend backend;

	private static ModelSpec spec;

	private static Tokenizer tokenizer;

	private static EngineConfig config;

	@BeforeAll
	static void loadLibrary() throws Exception {
		backend = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties()).cpuBackend(1);
		try (GgufFile file = GgufFile.open(MODEL)) {
			spec = ModelSpec.from(file);
			tokenizer = Tokenizer.fromGguf(file.metadata());
		}
		config = EngineConfig.defaults(new TokenizerDecoder(tokenizer), tokenizer.endOfGenerationIds())
			.withLimits(16, 128, 1000);
	}

	@AfterAll
	static void freeBackend() {
		backend.close();
	}

	private static StepRunner runner(int blocks) {
		Model model = backend.loadModel(MODEL, spec);
		return NativeStepRunner.create(model, blocks, BLOCK, KvType.F16, model);
	}

	private static int[] prompt(int seed, int length) {
		return IntStream.range(0, length)
			.map(i -> 3 + Math.floorMod(seed * 31 + i * 17 + i * i, spec.vocabSize() - 3))
			.toArray();
	}

	@Test
	void greedyOutputUnderLoadEqualsEachRequestRunAlone() throws Exception {
		List<LoadScenario.Planned> planned = LoadScenario.plan(3, 500, spec.vocabSize(), 40, 24);
		// 48 blocks hold 768 positions, less than 16 sequences want at once: preemption
		// happens.
		LoadScenario.Outcome outcome = LoadScenario.run(planned, () -> runner(48), config.withPrefixCaching(false),
				config, 9);
		int cancelled = LoadScenario.verify(planned, outcome);
		assertTrue(cancelled > 0, "some requests must end cancelled");
		assertTrue(outcome.finalStats().prefixCacheHitRate() > 0);
	}

	@Test
	void sharedSystemPromptIsServedFromThePrefixCacheWithTheSameOutput() throws Exception {
		int[] system = prompt(1, 96);
		List<GenerationResult> cached = new ArrayList<>();
		List<GenerationResult> uncached = new ArrayList<>();
		try (Engine withCache = Engine.start(runner(64), config);
				Engine withoutCache = Engine.start(runner(64), config.withPrefixCaching(false))) {
			for (int i = 0; i < 10; i++) {
				int[] prompt = IntStream.concat(IntStream.of(system), IntStream.of(prompt(100 + i, 7))).toArray();
				GenerationRequest request = GenerationRequest.greedy(prompt, 12);
				cached.add(withCache.submit(request).result().get(30, TimeUnit.SECONDS));
				uncached.add(withoutCache.submit(request).result().get(30, TimeUnit.SECONDS));
			}
			assertEquals(uncached, cached);
			// The first request computes all 103 tokens; the 9 others find the 6 system
			// blocks (96 tokens).
			assertEquals(9.0 * 96 / (10 * 103), withCache.stats().prefixCacheHitRate(), 1e-12);
		}
	}

	@Test
	void cacheTooSmallForAllRunningRequestsStillCompletesEveryOneCorrectly() throws Exception {
		List<GenerationRequest> requests = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			requests.add(GenerationRequest.greedy(prompt(200 + i, 40), 40));
		}
		List<GenerationResult> alone = new ArrayList<>();
		try (Engine engine = Engine.start(runner(64), config.withLimits(1, 128, 10))) {
			for (GenerationRequest request : requests) {
				alone.add(engine.submit(request).result().get(30, TimeUnit.SECONDS));
			}
		}
		// 12 blocks of 16: two or three of the six 80-token sequences fit at once.
		try (Engine engine = Engine.start(runner(12), config)) {
			List<RequestHandle> handles = requests.stream().map(engine::submit).toList();
			for (int i = 0; i < handles.size(); i++) {
				assertEquals(alone.get(i), handles.get(i).result().get(30, TimeUnit.SECONDS), "request " + i);
			}
			assertTrue(engine.stats().preemptedTotal() > 0);
		}
	}

	@Test
	void floodingPastTheQueueLimitGetsTypedRejectionsAndEveryAcceptedRequestCompletes() throws Exception {
		try (Engine engine = Engine.start(runner(64), config.withLimits(4, 64, 16))) {
			List<RequestHandle> accepted = new ArrayList<>();
			int rejected = 0;
			for (int i = 0; i < 200; i++) {
				try {
					accepted.add(engine.submit(GenerationRequest.greedy(prompt(i, 20), 16)));
				}
				catch (EngineOverloadedException e) {
					rejected++;
				}
			}
			assertTrue(rejected > 0, "200 requests at once must overflow a queue of 16");
			assertEquals(200, accepted.size() + rejected);
			for (RequestHandle handle : accepted) {
				GenerationResult result = handle.result().get(30, TimeUnit.SECONDS);
				assertTrue(result.finishReason() == FinishReason.LENGTH || result.finishReason() == FinishReason.STOP);
			}
		}
	}

	@Test
	void aSequenceTheNativeStepRefusesFailsAloneWhileTheOthersOfItsBatchComplete() throws Exception {
		long refused = 99;
		List<GenerationRequest> requests = List.of(GenerationRequest.greedy(prompt(300, 24), 16),
				new GenerationRequest(prompt(301, 24), SamplingParams.GREEDY.withSeed(refused), 16, List.of(),
						Optional.empty()),
				new GenerationRequest(prompt(302, 24), SamplingParams.defaults(7), 16, List.of(), Optional.empty()));
		List<GenerationResult> alone = new ArrayList<>();
		try (Engine engine = Engine.start(runner(64), config)) {
			for (int i : new int[] { 0, 2 }) {
				alone.add(engine.submit(requests.get(i)).result().get(30, TimeUnit.SECONDS));
			}
		}
		CountDownLatch gate = new CountDownLatch(1);
		GatedRunner runner = new GatedRunner(runner(64), refused, gate);
		try (Engine engine = Engine.start(runner, config)) {
			List<RequestHandle> handles = requests.stream().map(engine::submit).toList();
			gate.countDown();
			GenerationResult failed = handles.get(1).result().get(30, TimeUnit.SECONDS);
			assertEquals(FinishReason.ERROR, failed.finishReason());
			InvalidRequestException error = assertInstanceOf(InvalidRequestException.class,
					failed.error().orElseThrow());
			assertTrue(error.getMessage().startsWith("request refused: INVALID_ARGUMENT (1): batch.tokens["),
					error.getMessage());
			assertEquals(alone.get(0), handles.get(0).result().get(30, TimeUnit.SECONDS));
			assertEquals(alone.get(1), handles.get(2).result().get(30, TimeUnit.SECONDS));
			assertTrue(runner.refusedWithOthers, "the refused sequence must have shared a batch with another");
			assertEquals(Engine.State.RUNNING, engine.state());
			assertEquals(alone.get(0), engine.submit(requests.get(0)).result().get(30, TimeUnit.SECONDS));
		}
	}

	@Test
	void issueReproductionsFailOnlyTheirRequestAndATinyTemperatureSamplesTheArgmax() throws Exception {
		try (Engine engine = Engine.start(runner(64), config)) {
			RequestHandle running = engine.submit(GenerationRequest.greedy(prompt(400, 24), 24));
			SamplingParams defaults = SamplingParams.defaults(3);
			List<org.junit.jupiter.api.function.Executable> bad = List.of(() -> defaults.withTopP(0f),
					() -> defaults.withTopP(-1f), () -> defaults.withMinP(2f),
					() -> defaults.withTemperature(Float.NaN));
			for (org.junit.jupiter.api.function.Executable creation : bad) {
				assertThrows(InvalidRequestException.class, creation);
			}
			int[] prompt = prompt(401, 24);
			RequestHandle tiny = engine.submit(
					new GenerationRequest(prompt, defaults.withTemperature(1e-40f), 16, List.of(), Optional.empty()));
			RequestHandle greedy = engine.submit(GenerationRequest.greedy(prompt, 16));
			GenerationResult tinyResult = tiny.result().get(30, TimeUnit.SECONDS);
			assertEquals(greedy.result().get(30, TimeUnit.SECONDS).text(), tinyResult.text());
			assertTrue(tinyResult.generatedTokens() > 0);
			assertEquals(FinishReason.LENGTH, running.result().get(30, TimeUnit.SECONDS).finishReason());
			assertEquals(Engine.State.RUNNING, engine.state());
		}
	}

	@Test
	void logitsWithoutAFiniteValueFailOnlyTheRequestThatMetThem(@TempDir Path temp) throws Exception {
		int poisoned = 7; // its embedding row is NaN in a copy of the model, as in a
							// damaged file
		Path copy = Files.copy(MODEL, temp.resolve("nan-row.gguf"));
		try (GgufFile file = GgufFile.open(MODEL);
				FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
			TensorInfo embedding = file.tensor("token_embd.weight").orElseThrow();
			int rowBytes = (int) embedding.dim(0) * Float.BYTES;
			ByteBuffer nan = ByteBuffer.allocate(rowBytes).order(ByteOrder.LITTLE_ENDIAN);
			while (nan.hasRemaining()) {
				nan.putFloat(Float.NaN);
			}
			channel.write(nan.flip(), embedding.offset() + (long) poisoned * rowBytes);
		}
		int[] clean = IntStream.of(prompt(500, 24)).map(t -> t == poisoned ? poisoned + 1 : t).toArray();
		int[] damaged = clean.clone();
		damaged[10] = poisoned;
		GenerationRequest cleanRequest = new GenerationRequest(clean, SamplingParams.defaults(3), 16, List.of(),
				Optional.empty());
		GenerationResult alone;
		try (Engine engine = Engine.start(runner(64), config)) {
			alone = engine.submit(cleanRequest).result().get(30, TimeUnit.SECONDS);
		}
		Model model = backend.loadModel(copy, spec);
		CountDownLatch gate = new CountDownLatch(1);
		GatedRunner runner = new GatedRunner(NativeStepRunner.create(model, 64, BLOCK, KvType.F16, model), -1, gate);
		try (Engine engine = Engine.start(runner, config)) {
			RequestHandle bad = engine
				.submit(new GenerationRequest(damaged, SamplingParams.defaults(3), 16, List.of(), Optional.empty()));
			RequestHandle good = engine.submit(cleanRequest);
			gate.countDown();
			GenerationResult failed = bad.result().get(30, TimeUnit.SECONDS);
			assertEquals(FinishReason.ERROR, failed.finishReason());
			assertTrue(failed.error().orElseThrow().getMessage().startsWith("the model gave no finite logit"),
					failed.error().orElseThrow().getMessage());
			assertEquals(alone, good.result().get(30, TimeUnit.SECONDS));
			assertEquals(Engine.State.RUNNING, engine.state());
		}
	}

	/**
	 * The native runner whose first step waits for {@code gate}; every sequence sampling
	 * with {@code corruptSeed} carries a token outside the vocabulary (which the native
	 * step refuses).
	 */
	private static final class GatedRunner extends ForwardingStepRunner {

		private final long corruptSeed;

		private final CountDownLatch gate;

		volatile boolean refusedWithOthers;

		GatedRunner(StepRunner delegate, long corruptSeed, CountDownLatch gate) {
			super(delegate);
			this.corruptSeed = corruptSeed;
			this.gate = gate;
		}

		@Override
		public void step(List<StepSequence> batch, int[] sampled) {
			try {
				gate.await();
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(e);
			}
			List<StepSequence> changed = new ArrayList<>();
			for (StepSequence seq : batch) {
				if (seq.sampling().seed() == corruptSeed) {
					int[] tokens = seq.tokens().clone();
					tokens[seq.start()] = delegate.vocabSize();
					seq = new StepSequence(tokens, seq.start(), seq.count(), seq.blockTable(), seq.sample(),
							seq.sampling());
					refusedWithOthers |= batch.size() > 1;
				}
				changed.add(seq);
			}
			delegate.step(changed, sampled);
		}

	}

}
