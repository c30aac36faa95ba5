package dev.llcuda.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.ai.retry.TransientAiException;

import dev.llcuda.engine.EngineListener;
import dev.llcuda.engine.FinishReason;
import dev.llcuda.engine.GenerationRequest;
import dev.llcuda.engine.GenerationResult;
import dev.llcuda.engine.RequestHandle;
import dev.llcuda.engine.SamplingParams;
import dev.llcuda.runtime.ServingModel;
import dev.llcuda.runtime.TestServing;

class Resilience4jRequestGuardTests {

	private final ServingModel model = TestServing.serve(TestServing.MICRO_LLAMA, Integer.MAX_VALUE, 20,
			EngineListener.NONE);

	@AfterEach
	void stop() {
		this.model.shutdown(Duration.ZERO);
	}

	private static GenerationRequest request(int maxTokens) {
		return new GenerationRequest(new int[] { 1, 100, 200 }, SamplingParams.GREEDY, maxTokens, List.of(),
				Optional.empty());
	}

	private static Resilience4jRequestGuard guard(int concurrent, Duration timeLimit) {
		return new Resilience4jRequestGuard(
				Bulkhead.of("llcuda",
						BulkheadConfig.custom().maxConcurrentCalls(concurrent).maxWaitDuration(Duration.ZERO).build()),
				TimeLimiter.of("llcuda", TimeLimiterConfig.custom().timeoutDuration(timeLimit).build()),
				CircuitBreaker.of("llcuda", CircuitBreakerConfig.ofDefaults()));
	}

	@Test
	void theTimeLimitCancelsGenerationInTheEngine() {
		try (Resilience4jRequestGuard guard = guard(4, Duration.ofMillis(150))) {
			RequestHandle handle = guard.admit(request(200), this.model.engine()::submit);
			GenerationResult result = handle.result().join();
			assertThat(result.finishReason()).isEqualTo(FinishReason.CANCELLED);
			assertThat(result.generatedTokens()).isLessThan(200);
		}
	}

	@Test
	void theBulkheadRefusesRequestsBeyondItsLimitAndReleasesFinishedOnes() {
		try (Resilience4jRequestGuard guard = guard(1, Duration.ofSeconds(30))) {
			RequestHandle running = guard.admit(request(100), this.model.engine()::submit);
			assertThatThrownBy(() -> guard.admit(request(1), this.model.engine()::submit))
				.isInstanceOf(TransientAiException.class)
				.hasCauseInstanceOf(BulkheadFullException.class);
			running.cancel();
			running.result().join();
			RequestHandle next = guard.admit(request(2), this.model.engine()::submit);
			assertThat(next.result().join().finishReason()).isEqualTo(FinishReason.LENGTH);
		}
	}

	@Test
	void engineFaultsOpenTheCircuitAndOverloadDoesNot() {
		CircuitBreaker breaker = CircuitBreaker.of("llcuda",
				CircuitBreakerConfig.custom()
					.minimumNumberOfCalls(2)
					.slidingWindowSize(2)
					.failureRateThreshold(50)
					.build());
		try (Resilience4jRequestGuard guard = new Resilience4jRequestGuard(Bulkhead.ofDefaults("llcuda"),
				TimeLimiter.ofDefaults("llcuda"), breaker)) {
			for (int i = 0; i < 2; i++) {
				assertThatThrownBy(() -> guard.admit(request(1), r -> {
					throw new dev.llcuda.engine.EngineOverloadedException(8);
				})).isInstanceOf(dev.llcuda.engine.EngineOverloadedException.class);
			}
			assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
			for (int i = 0; i < 2; i++) {
				assertThatThrownBy(() -> guard.admit(request(1), r -> {
					throw new IllegalStateException("engine is failed (CUDA error); request refused");
				})).isInstanceOf(IllegalStateException.class);
			}
			assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
			assertThatThrownBy(() -> guard.admit(request(1), this.model.engine()::submit))
				.isInstanceOf(TransientAiException.class)
				.hasCauseInstanceOf(CallNotPermittedException.class);
		}
	}

}
