package dev.llcuda.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.llcuda.engine.EngineListener;
import dev.llcuda.engine.FinishReason;
import dev.llcuda.engine.GenerationRequest;
import dev.llcuda.engine.GenerationResult;
import dev.llcuda.engine.SamplingParams;

/**
 * A failed engine is reloaded by the runtime itself, with doubling delays, and only while
 * it is still wanted.
 */
class EngineRecoveryTests {

	private final AtomicInteger loads = new AtomicInteger();

	private LlcudaRuntime runtime;

	/**
	 * Serves the micro model; loads number {@code failing} (counting from 1) fail as a
	 * busy device would.
	 */
	private ModelLoader loader(List<Integer> failing) {
		return (file, progress) -> {
			int load = this.loads.incrementAndGet();
			if (failing.contains(load)) {
				throw new IllegalStateException("device busy (simulated), load " + load);
			}
			return TestServing.serve(file, Integer.MAX_VALUE, 0, EngineListener.NONE);
		};
	}

	private LlcudaRuntime start(ModelLoader loader, Duration firstDelay, Duration maxDelay) throws Exception {
		this.runtime = new LlcudaRuntime(loader, null, TestServing.MICRO_LLAMA, Duration.ofSeconds(1), firstDelay,
				maxDelay);
		this.runtime.start();
		await(() -> this.runtime.state() == RuntimeState.READY);
		return this.runtime;
	}

	@AfterEach
	void stop() {
		if (this.runtime != null) {
			this.runtime.stop();
		}
	}

	private static GenerationResult generate(LlcudaRuntime runtime, long seed) throws Exception {
		GenerationRequest request = new GenerationRequest(new int[] { 1, 100, 200 },
				SamplingParams.GREEDY.withSeed(seed), 4, List.of(), Optional.empty());
		return runtime.requireServing().engine().submit(request).result().get(10, TimeUnit.SECONDS);
	}

	private static void await(BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
			Thread.sleep(5);
		}
	}

	@Test
	void aFailedEngineIsReloadedByItselfAndServesAgain() throws Exception {
		LlcudaRuntime runtime = start(loader(List.of()), Duration.ofMillis(300), Duration.ofSeconds(5));
		ServingModel first = runtime.requireServing();
		GenerationResult failed = generate(runtime, ScriptedStepRunner.DEVICE_FAULT_SEED);
		assertThat(failed.finishReason()).isEqualTo(FinishReason.ERROR);
		await(() -> runtime.state() == RuntimeState.RECOVERING);
		RecoveryStatus status = runtime.recovery().orElseThrow();
		assertThat(status.attempt()).isEqualTo(1);
		assertThat(status.lastError()).isEqualTo("simulated device fault");
		assertThat(status.model()).isEqualTo(TestServing.MICRO_LLAMA);
		// The reload makes the runtime READY just before the recovery is counted and its
		// status cleared.
		await(() -> runtime.state() == RuntimeState.READY && runtime.recovery().isEmpty());
		assertThat(runtime.recoveries()).isEqualTo(1);
		assertThat(runtime.requireServing()).isNotSameAs(first);
		assertThat(generate(runtime, 7).finishReason()).isEqualTo(FinishReason.LENGTH);
		assertThat(this.loads.get()).isEqualTo(2);
	}

	@Test
	void failedReloadsAreRetriedWithDoublingDelaysReportingTheLastError() throws Exception {
		LlcudaRuntime runtime = start(loader(List.of(2, 3)), Duration.ofMillis(100), Duration.ofMillis(400));
		generate(runtime, ScriptedStepRunner.DEVICE_FAULT_SEED);
		await(() -> runtime.recovery().map(status -> status.attempt() == 3).orElse(false));
		assertThat(runtime.recovery().orElseThrow().lastError()).isEqualTo("device busy (simulated), load 3");
		assertThat(runtime.state()).isEqualTo(RuntimeState.RECOVERING);
		await(() -> runtime.state() == RuntimeState.READY && runtime.recovery().isEmpty());
		assertThat(this.loads.get()).isEqualTo(4);
		assertThat(runtime.recoveries()).isEqualTo(1);
		assertThat(generate(runtime, 7).finishReason()).isEqualTo(FinishReason.LENGTH);
	}

	@Test
	void delaysDoubleFromTheFirstUpToTheMaximum() {
		EngineRecovery recovery = new EngineRecovery(new Object(), file -> {
		}, Duration.ofSeconds(1), Duration.ofSeconds(10), Clock.systemUTC());
		assertThat(List.of(1, 2, 3, 4, 5, 60).stream().map(recovery::delayBefore).map(Duration::toSeconds).toList())
			.containsExactly(1L, 2L, 4L, 8L, 10L, 10L);
		recovery.shutdown();
	}

	@Test
	void unloadingDuringARecoveryStopsIt() throws Exception {
		LlcudaRuntime runtime = start(loader(List.of()), Duration.ofMillis(300), Duration.ofSeconds(5));
		generate(runtime, ScriptedStepRunner.DEVICE_FAULT_SEED);
		await(() -> runtime.state() == RuntimeState.RECOVERING);
		runtime.unload();
		assertThat(runtime.state()).isEqualTo(RuntimeState.NO_MODEL);
		assertThat(runtime.recovery()).isEmpty();
		Thread.sleep(600);
		assertThat(this.loads.get()).isEqualTo(1);
		assertThat(runtime.state()).isEqualTo(RuntimeState.NO_MODEL);
	}

	@Test
	void requestsDuringARecoveryAreRefusedSayingSo() throws Exception {
		LlcudaRuntime runtime = start(loader(List.of()), Duration.ofSeconds(30), Duration.ofSeconds(30));
		generate(runtime, ScriptedStepRunner.DEVICE_FAULT_SEED);
		await(() -> runtime.state() == RuntimeState.RECOVERING);
		assertThat(assertThrows(NoModelLoadedException.class, runtime::requireServing).getMessage()).startsWith(
				"the engine failed (simulated device fault); reloading " + TestServing.MICRO_LLAMA + ", attempt 1 at ");
	}

}
