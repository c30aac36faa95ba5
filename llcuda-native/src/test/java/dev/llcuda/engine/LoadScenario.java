package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Greedy determinism under load: many requests of random prompt and output lengths (some
 * sharing a prefix, some with stop strings) arrive at random moments, a tenth are
 * cancelled midway; every completed one must equal the same request run alone, every
 * cancelled one must stop with a prefix of that text, and at the end every KV block is
 * free and no engine thread is left.
 */
final class LoadScenario {

	record Planned(GenerationRequest request, int cancelAfterPieces) {
	}

	record Outcome(List<GenerationResult> alone, List<GenerationResult> underLoad, EngineStats finalStats) {
	}

	private LoadScenario() {
	}

	static List<Planned> plan(long seed, int count, int vocab, int maxPrompt, int maxTokens) {
		Random rnd = new Random(seed);
		int[][] prefixes = new int[3][];
		for (int i = 0; i < prefixes.length; i++) {
			prefixes[i] = randomTokens(rnd, maxPrompt / 2 + rnd.nextInt(maxPrompt / 4), vocab);
		}
		List<Planned> planned = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			int length = 1 + rnd.nextInt(maxPrompt);
			int[] prompt = randomTokens(rnd, length, vocab);
			if (rnd.nextBoolean()) {
				int[] prefix = prefixes[rnd.nextInt(prefixes.length)];
				System.arraycopy(prefix, 0, prompt, 0, Math.min(prefix.length, length));
			}
			GenerationRequest request = GenerationRequest.greedy(prompt, 1 + rnd.nextInt(maxTokens));
			if (rnd.nextInt(5) == 0) {
				request = request.withStopStrings(
						List.of(String.valueOf((char) ('a' + rnd.nextInt(26))) + (char) ('a' + rnd.nextInt(26))));
			}
			int cancelAfter = rnd.nextInt(10) == 0 ? rnd.nextInt(Math.max(1, request.maxTokens() / 2)) : -1;
			planned.add(new Planned(request, cancelAfter));
		}
		return planned;
	}

	private static int[] randomTokens(Random rnd, int length, int vocab) {
		int[] tokens = new int[length];
		for (int i = 0; i < length; i++) {
			tokens[i] = 3 + rnd.nextInt(vocab - 3);
		}
		return tokens;
	}

	// The first requests arrive at once, so the engine is full however fast it runs on
	// this machine:
	// preemption and a full running set then happen on every run, not only on slow ones.
	private static final int OPENING_BURST = 48;

	/**
	 * Runs every request alone (one at a time, no prefix cache), then all together under
	 * load.
	 */
	static Outcome run(List<Planned> planned, Supplier<StepRunner> runners, EngineConfig alone, EngineConfig loaded,
			long seed) throws Exception {
		List<GenerationResult> expected = new ArrayList<>();
		try (Engine engine = Engine.start(runners.get(),
				alone.withLimits(1, alone.maxTokensPerStep(), planned.size()))) {
			for (Planned p : planned) {
				expected.add(engine.submit(p.request()).result().get(30, TimeUnit.SECONDS));
			}
		}
		Random rnd = new Random(seed);
		List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
		Engine engine = Engine.start(runners.get(), loaded);
		EngineStats stats;
		try {
			for (Planned p : planned) {
				RequestHandle handle = engine.submit(p.request());
				if (p.cancelAfterPieces() >= 0) {
					handle.pieces().subscribe(new CancelAfter(handle, p.cancelAfterPieces()));
				}
				results.add(handle.result());
				if (results.size() > OPENING_BURST) {
					LockSupport.parkNanos(rnd.nextInt(200_000));
				}
			}
			CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
			stats = awaitIdle(engine);
		}
		finally {
			assertTrue(engine.shutdown(Duration.ofSeconds(5)), "nothing left in flight to cancel");
		}
		List<GenerationResult> actual = results.stream().map(CompletableFuture::join).toList();
		return new Outcome(expected, actual, stats);
	}

	/**
	 * Stats once the engine published its last step (results complete just before that).
	 */
	private static EngineStats awaitIdle(Engine engine) throws InterruptedException {
		EngineStats stats = engine.stats();
		for (int i = 0; i < 500 && (stats.running() != 0 || stats.kvBlocksUsed() != 0); i++) {
			Thread.sleep(2);
			stats = engine.stats();
		}
		return stats;
	}

	/** Checks the outcome; returns how many requests ended cancelled. */
	static int verify(List<Planned> planned, Outcome outcome) throws InterruptedException {
		int cancelled = 0;
		for (int i = 0; i < planned.size(); i++) {
			GenerationResult alone = outcome.alone().get(i);
			GenerationResult loaded = outcome.underLoad().get(i);
			assertTrue(alone.finishReason() == FinishReason.STOP || alone.finishReason() == FinishReason.LENGTH,
					"request " + i + " alone: " + alone);
			if (loaded.finishReason() == FinishReason.CANCELLED) {
				assertTrue(planned.get(i).cancelAfterPieces() >= 0, "request " + i + " was never cancelled");
				assertTrue(alone.text().startsWith(loaded.text()),
						"request " + i + ": cancelled text " + loaded.text() + " is not a prefix of " + alone.text());
				assertTrue(loaded.generatedTokens() <= alone.generatedTokens(), "request " + i);
				cancelled++;
			}
			else {
				assertEquals(alone, loaded, "request " + i + " under load");
			}
		}
		assertEquals(0, outcome.finalStats().kvBlocksUsed(), "KV blocks still held");
		assertEquals(0, outcome.finalStats().running());
		assertEquals(0, outcome.finalStats().queued());
		assertEquals(planned.size(), outcome.finalStats().finishedTotal());
		assertEquals(List.of(), EngineThreads.awaitNoneAlive());
		return cancelled;
	}

	/** Cancels its request once it has seen {@code after} pieces (at once when 0). */
	private static final class CancelAfter implements Flow.Subscriber<TokenPiece> {

		private final RequestHandle handle;

		private final int after;

		private final AtomicInteger seen = new AtomicInteger();

		CancelAfter(RequestHandle handle, int after) {
			this.handle = handle;
			this.after = after;
		}

		@Override
		public void onSubscribe(Flow.Subscription s) {
			s.request(Long.MAX_VALUE);
			if (after == 0) {
				handle.cancel();
			}
		}

		@Override
		public void onNext(TokenPiece item) {
			if (seen.incrementAndGet() == after) {
				handle.cancel();
			}
		}

		@Override
		public void onError(Throwable throwable) {
		}

		@Override
		public void onComplete() {
		}

	}

}
