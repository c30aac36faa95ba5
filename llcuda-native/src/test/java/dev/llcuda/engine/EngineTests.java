package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * The engine over {@link SimulatedModel}, whose output depends on reading back the right
 * KV slots.
 */
class EngineTests {

	private static final int EOS = 2;

	private static final EngineConfig CONFIG = EngineConfig.defaults(new TableDecoder(), Set.of(EOS))
		.withLimits(16, 64, 1000);

	private final List<Engine> engines = new ArrayList<>();

	private Engine start(SimulatedModel model, EngineConfig config) {
		Engine engine = Engine.start(model, config);
		engines.add(engine);
		return engine;
	}

	@AfterEach
	void closeEngines() {
		engines.forEach(Engine::close);
	}

	private static int[] range(int from, int to) {
		return IntStream.range(from, to).toArray();
	}

	/** What the model generates after {@code prompt}, computed without the engine. */
	private static List<Integer> reference(int[] prompt, int maxTokens) {
		int[] history = java.util.Arrays.copyOf(prompt, prompt.length + maxTokens);
		List<Integer> out = new ArrayList<>();
		for (int n = prompt.length; out.size() < maxTokens; n++) {
			int next = SimulatedModel.nextToken(history, n);
			out.add(next);
			history[n] = next;
			if (next == EOS) {
				break;
			}
		}
		return out;
	}

	@Test
	void greedyOutputUnderLoadEqualsEachRequestRunAlone() throws Exception {
		List<LoadScenario.Planned> planned = LoadScenario.plan(11, 500, SimulatedModel.VOCAB, 60, 40);
		EngineConfig alone = CONFIG.withPrefixCaching(false);
		// 40 blocks of 16 hold far fewer tokens than 16 running sequences want:
		// preemption happens.
		LoadScenario.Outcome outcome = LoadScenario.run(planned, () -> new SimulatedModel(40, 16, 256), alone, CONFIG,
				5);
		int cancelled = LoadScenario.verify(planned, outcome);
		assertTrue(cancelled > 0, "some requests must end cancelled");
		assertTrue(outcome.finalStats().preemptedTotal() > 0, "the small cache must force preemptions");
		assertTrue(outcome.finalStats().prefixCacheHitRate() > 0, "shared prefixes must hit the cache");
	}

	@Test
	void tokensStreamedInOrderMatchTheModel() throws Exception {
		Engine engine = start(new SimulatedModel(64, 16, 256), CONFIG);
		int[] prompt = range(3, 40);
		RequestHandle handle = engine.submit(GenerationRequest.greedy(prompt, 30));
		GenerationResult result = handle.result().get(10, TimeUnit.SECONDS);
		// Subscribing after the end still sees every piece; Reactor asks for two at a
		// time.
		List<TokenPiece> pieces = Flux.from(JdkFlowAdapter.flowPublisherToFlux(handle.pieces()))
			.limitRate(2)
			.publishOn(Schedulers.single())
			.collectList()
			.block(Duration.ofSeconds(10));
		List<Integer> expected = reference(prompt, 30);
		List<Integer> ids = pieces.stream().map(TokenPiece::tokenId).toList();
		assertEquals(expected.contains(EOS) ? expected.subList(0, expected.size() - 1) : expected, ids);
		assertEquals(result.text(), pieces.stream().map(TokenPiece::text).reduce("", String::concat));
		assertEquals(expected.size(), result.generatedTokens());
		assertEquals(37, result.promptTokens());
	}

	@Test
	void sharedSystemPromptIsServedFromThePrefixCacheWithTheSameOutput() throws Exception {
		int[] system = range(100, 164);
		List<GenerationResult> cached = new ArrayList<>();
		List<GenerationResult> uncached = new ArrayList<>();
		Engine withCache = start(new SimulatedModel(64, 16, 256), CONFIG);
		Engine withoutCache = start(new SimulatedModel(64, 16, 256), CONFIG.withPrefixCaching(false));
		for (int i = 0; i < 20; i++) {
			int[] prompt = IntStream.concat(IntStream.of(system), IntStream.range(200 + 5 * i, 205 + 5 * i)).toArray();
			cached.add(withCache.submit(GenerationRequest.greedy(prompt, 8)).result().get(10, TimeUnit.SECONDS));
			uncached.add(withoutCache.submit(GenerationRequest.greedy(prompt, 8)).result().get(10, TimeUnit.SECONDS));
		}
		assertEquals(uncached, cached);
		// The first request computes all 69 tokens; the 19 others find the 4 system
		// blocks (64 tokens).
		assertEquals(19.0 * 64 / (20 * 69), withCache.stats().prefixCacheHitRate(), 1e-12);
		assertEquals(0.0, withoutCache.stats().prefixCacheHitRate());
		assertTrue(withCache.stats().computedTokensTotal() < withoutCache.stats().computedTokensTotal());
	}

	@Test
	void cacheTooSmallForAllRunningRequestsStillCompletesEveryOneCorrectly() throws Exception {
		// 8 blocks of 16 tokens; each request ends at 30 + 60 = 90 tokens (6 blocks).
		Engine engine = start(new SimulatedModel(8, 16, 128), CONFIG);
		List<int[]> prompts = new ArrayList<>();
		List<RequestHandle> handles = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			int[] prompt = range(10 + 40 * i, 40 + 40 * i);
			prompts.add(prompt);
			handles.add(engine.submit(GenerationRequest.greedy(prompt, 60)));
		}
		for (int i = 0; i < 8; i++) {
			GenerationResult result = handles.get(i).result().get(20, TimeUnit.SECONDS);
			List<Integer> expected = reference(prompts.get(i), 60);
			assertEquals(expected.size(), result.generatedTokens(), "request " + i);
			StringBuilder text = new StringBuilder();
			TableDecoder decoder = new TableDecoder();
			expected.stream().filter(t -> t != EOS).forEach(t -> text.append(decoder.piece(t)));
			assertEquals(text.toString(), result.text(), "request " + i);
		}
		assertTrue(engine.stats().preemptedTotal() > 0);
	}

	@Test
	void floodingPastTheQueueLimitIsRejectedAtOnceAndLosesNothing() throws Exception {
		SimulatedModel model = new SimulatedModel(64, 16, 256);
		CountDownLatch gate = new CountDownLatch(1);
		model.gate = gate;
		Engine engine = start(model, CONFIG.withLimits(4, 64, 8));
		List<RequestHandle> accepted = new ArrayList<>();
		accepted.add(engine.submit(GenerationRequest.greedy(range(3, 10), 5)));
		while (engine.stats().queued() != 0) {
			Thread.onSpinWait();
		}
		int rejected = 0;
		for (int i = 0; i < 99; i++) {
			try {
				accepted.add(engine.submit(GenerationRequest.greedy(range(3, 10 + i % 5), 5)));
			}
			catch (EngineOverloadedException e) {
				assertEquals(8, e.queueLimit());
				rejected++;
			}
		}
		assertEquals(9, accepted.size());
		assertEquals(91, rejected);
		gate.countDown();
		for (RequestHandle handle : accepted) {
			assertEquals(5, handle.result().get(10, TimeUnit.SECONDS).generatedTokens());
		}
	}

	@Test
	void cancelFreesTheBlocksWithinOneStep() throws Exception {
		SimulatedModel model = new SimulatedModel(64, 16, 256);
		model.stepPauseNanos = 1_000_000;
		Engine engine = start(model, CONFIG);
		RequestHandle handle = engine.submit(GenerationRequest.greedy(range(3, 50), 200));
		CollectingSubscriber subscriber = new CollectingSubscriber();
		handle.pieces().subscribe(subscriber);
		while (subscriber.pieces.size() < 5) {
			Thread.onSpinWait();
		}
		int stepsAtCancel = model.steps.get();
		handle.cancel();
		GenerationResult result = handle.result().get(10, TimeUnit.SECONDS);
		assertEquals(FinishReason.CANCELLED, result.finishReason());
		assertTrue(model.steps.get() <= stepsAtCancel + 1,
				"steps after cancel: " + (model.steps.get() - stepsAtCancel));
		assertTrue(subscriber.ended.await(5, TimeUnit.SECONDS));
		assertTrue(subscriber.completed);
		assertEquals(0, engine.kvStats().usedBlocks());
	}

	@Test
	void cancellingTheFluxSubscriptionCancelsTheRequest() throws Exception {
		SimulatedModel model = new SimulatedModel(64, 16, 256);
		model.stepPauseNanos = 1_000_000;
		Engine engine = start(model, CONFIG);
		RequestHandle handle = engine.submit(GenerationRequest.greedy(range(3, 50), 200));
		List<TokenPiece> firstThree = JdkFlowAdapter.flowPublisherToFlux(handle.pieces())
			.take(3)
			.collectList()
			.block(Duration.ofSeconds(10));
		assertEquals(3, firstThree.size());
		GenerationResult result = handle.result().get(10, TimeUnit.SECONDS);
		assertEquals(FinishReason.CANCELLED, result.finishReason());
		assertTrue(result.generatedTokens() < 200);
	}

	@Test
	void passedDeadlineCancelsBeforeAnyToken() throws Exception {
		Engine engine = start(new SimulatedModel(64, 16, 256), CONFIG);
		GenerationRequest late = GenerationRequest.greedy(range(3, 20), 10).withDeadline(Instant.now().minusSeconds(1));
		GenerationResult result = engine.submit(late).result().get(10, TimeUnit.SECONDS);
		assertEquals(FinishReason.CANCELLED, result.finishReason());
		assertEquals(0, result.generatedTokens());
		assertEquals(0, engine.stats().queued());
	}

	@Test
	void failedStepEndsEveryRequestWithTheErrorAndRefusesNewOnes() throws Exception {
		SimulatedModel model = new SimulatedModel(64, 16, 256);
		model.failAtStep = 3;
		CountDownLatch gate = new CountDownLatch(1);
		model.gate = gate;
		Engine engine = start(model, CONFIG);
		List<RequestHandle> handles = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			handles.add(engine.submit(GenerationRequest.greedy(range(3 + i, 20), 50)));
		}
		gate.countDown();
		for (RequestHandle handle : handles) {
			GenerationResult result = handle.result().get(10, TimeUnit.SECONDS);
			assertEquals(FinishReason.ERROR, result.finishReason());
			assertEquals("simulated device failure", result.error().orElseThrow().getMessage());
		}
		assertEquals(Engine.State.FAILED, engine.state());
		IllegalStateException refused = assertThrows(IllegalStateException.class,
				() -> engine.submit(GenerationRequest.greedy(range(3, 5), 1)));
		assertEquals("engine is failed (simulated device failure); request refused", refused.getMessage());
	}

	@Test
	void aRequestTheStepRefusesFailsAloneWhileTheOthersOfItsBatchComplete() throws Exception {
		SimulatedModel model = new SimulatedModel(64, 16, 256);
		model.refusedSeed = 13;
		assertOnlyTheMarkedRequestFails(model, 13, InvalidRequestException.class,
				"request refused: a sequence with seed 13 is refused (simulated)");
	}

	@Test
	void logitsWithoutAFiniteValueFailOnlyThatRequest() throws Exception {
		SimulatedModel model = new SimulatedModel(64, 16, 256);
		model.nonFiniteSeed = 17;
		assertOnlyTheMarkedRequestFails(model, 17, IllegalStateException.class,
				"the model gave no finite logit for the next token of this request (NaN or infinite values at "
						+ "position 16); the request was ended, the engine goes on");
	}

	/**
	 * Three requests in one batch, the second with {@code seed}: it alone fails, the
	 * others and later ones complete.
	 */
	private void assertOnlyTheMarkedRequestFails(SimulatedModel model, long seed, Class<? extends Throwable> type,
			String message) throws Exception {
		CountDownLatch gate = new CountDownLatch(1);
		model.gate = gate;
		Engine engine = start(model, CONFIG);
		List<int[]> prompts = List.of(range(3, 20), range(4, 20), range(5, 20));
		List<RequestHandle> handles = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			SamplingParams sampling = SamplingParams.GREEDY.withSeed(i == 1 ? seed : 0);
			handles
				.add(engine.submit(new GenerationRequest(prompts.get(i), sampling, 12, List.of(), Optional.empty())));
		}
		gate.countDown();
		GenerationResult failed = handles.get(1).result().get(10, TimeUnit.SECONDS);
		assertEquals(FinishReason.ERROR, failed.finishReason());
		assertInstanceOf(type, failed.error().orElseThrow());
		assertEquals(message, failed.error().orElseThrow().getMessage());
		for (int i : new int[] { 0, 2 }) {
			GenerationResult result = handles.get(i).result().get(10, TimeUnit.SECONDS);
			assertEquals(reference(prompts.get(i), 12).size(), result.generatedTokens());
			assertTrue(result.finishReason() == FinishReason.STOP || result.finishReason() == FinishReason.LENGTH);
		}
		assertEquals(Engine.State.RUNNING, engine.state());
		assertEquals(FinishReason.LENGTH,
				engine.submit(GenerationRequest.greedy(range(30, 33), 1))
					.result()
					.get(10, TimeUnit.SECONDS)
					.finishReason());
	}

	@Test
	void samplingParametersOutOfRangeAreRefusedNamingFieldValueAndRange() {
		SamplingParams d = SamplingParams.defaults(1);
		assertRefused("top_p 0.0 must be in (0, 1] (1: off)", () -> d.withTopP(0f));
		assertRefused("top_p -1.0 must be in (0, 1] (1: off)", () -> d.withTopP(-1f));
		assertRefused("top_p NaN must be in (0, 1] (1: off)", () -> d.withTopP(Float.NaN));
		assertRefused("min_p 2.0 must be in [0, 1] (0: off)", () -> d.withMinP(2f));
		assertRefused("temperature NaN must be finite and >= 0 (0: greedy)", () -> d.withTemperature(Float.NaN));
		assertRefused("temperature -1.0 must be finite and >= 0 (0: greedy)", () -> d.withTemperature(-1f));
		assertRefused("top_k -1 must be >= 0 (0: off)", () -> d.withTopK(-1));
		assertRefused("repetition_penalty 0.0 must be finite and > 0 (1: off)", () -> d.withPenalties(0f, 0f, 0f));
		assertRefused("frequency_penalty Infinity must be finite (0: off)",
				() -> d.withPenalties(1f, Float.POSITIVE_INFINITY, 0f));
		assertRefused("max_tokens 0 must be >= 1", () -> GenerationRequest.greedy(new int[] { 1 }, 0));
		assertEquals(1e-40f, d.withTemperature(1e-40f).temperature());
	}

	private static void assertRefused(String message, org.junit.jupiter.api.function.Executable creation) {
		InvalidRequestException e = assertThrows(InvalidRequestException.class, creation);
		assertEquals(message, e.getMessage());
	}

	@Test
	void gracefulShutdownFinishesRequestsInFlightAndFreesTheModel() throws Exception {
		SimulatedModel model = new SimulatedModel(64, 16, 256);
		Engine engine = start(model, CONFIG);
		List<RequestHandle> handles = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			handles.add(engine.submit(GenerationRequest.greedy(range(3 + i, 30), 20)));
		}
		assertTrue(engine.shutdown(Duration.ofSeconds(10)));
		for (RequestHandle handle : handles) {
			assertEquals(20, handle.result().get(10, TimeUnit.SECONDS).generatedTokens());
		}
		assertTrue(model.closed);
		assertEquals(Engine.State.STOPPED, engine.state());
		assertThrows(IllegalStateException.class, () -> engine.submit(GenerationRequest.greedy(range(3, 5), 1)));
		assertEquals(List.of(), EngineThreads.awaitNoneAlive());
	}

	@Test
	void closeCancelsRequestsInFlight() throws Exception {
		SimulatedModel model = new SimulatedModel(64, 16, 256);
		CountDownLatch gate = new CountDownLatch(1);
		model.gate = gate;
		Engine engine = start(model, CONFIG);
		RequestHandle handle = engine.submit(GenerationRequest.greedy(range(3, 30), 100));
		Thread opener = new Thread(() -> {
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			gate.countDown();
		});
		opener.start();
		engine.close();
		GenerationResult result = handle.result().get(10, TimeUnit.SECONDS);
		assertEquals(FinishReason.CANCELLED, result.finishReason());
		assertFalse(result.generatedTokens() > 1);
		assertTrue(model.closed);
		opener.join();
	}

	@Test
	void subscriberArrivingAfterCloseStillGetsTheWholeStream() throws Exception {
		SimulatedModel model = new SimulatedModel(64, 16, 256);
		Engine engine = start(model, CONFIG);
		RequestHandle handle = engine.submit(GenerationRequest.greedy(range(3, 20), 12));
		GenerationResult result = handle.result().get(10, TimeUnit.SECONDS);
		engine.close();
		CollectingSubscriber subscriber = new CollectingSubscriber();
		handle.pieces().subscribe(subscriber);
		assertTrue(subscriber.ended.await(5, TimeUnit.SECONDS));
		assertTrue(subscriber.completed);
		assertEquals(result.text(), subscriber.text());
		assertEquals(reference(range(3, 20), 12).stream().filter(t -> t != EOS).toList(),
				subscriber.pieces.stream().map(TokenPiece::tokenId).toList());
	}

	@Test
	void badPromptsAreRefusedNamingTheProblem() {
		Engine engine = start(new SimulatedModel(64, 16, 256), CONFIG);
		IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
				() -> engine.submit(GenerationRequest.greedy(new int[] { 5, 512 }, 1)));
		assertEquals("prompt token 512 at index 1 is outside the vocabulary of 512 tokens", outside.getMessage());
		IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
				() -> engine.submit(GenerationRequest.greedy(range(0, 256), 1)));
		assertEquals("prompt has 256 tokens; the context holds 256 and needs room for at least one generated token",
				tooLong.getMessage());
		assertInstanceOf(IllegalArgumentException.class,
				assertThrows(IllegalArgumentException.class, () -> GenerationRequest.greedy(new int[0], 1)));
	}

}
