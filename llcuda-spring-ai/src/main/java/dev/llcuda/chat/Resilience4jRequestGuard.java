package dev.llcuda.chat;

import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.timelimiter.TimeLimiter;

import org.springframework.ai.retry.TransientAiException;

import dev.llcuda.engine.EngineOverloadedException;
import dev.llcuda.engine.FinishReason;
import dev.llcuda.engine.GenerationRequest;
import dev.llcuda.engine.GenerationResult;
import dev.llcuda.engine.InvalidRequestException;
import dev.llcuda.engine.RequestHandle;

/**
 * Resilience4j admission: a bulkhead bounds requests in flight (queued plus running), a
 * time limiter cancels a request in the engine when it runs past its limit, and a circuit
 * breaker opens after engine faults (an overloaded engine is not a fault). Each reports
 * its Resilience4j metrics under the instance name {@value #INSTANCE}. A full bulkhead or
 * an open circuit refuses with Spring AI's {@link TransientAiException} (try again
 * later), Resilience4j's exception its cause.
 */
public final class Resilience4jRequestGuard implements RequestGuard, AutoCloseable {

	/** Name of the bulkhead, time limiter and circuit breaker instances. */
	public static final String INSTANCE = "llcuda";

	private final Bulkhead bulkhead;

	private final TimeLimiter timeLimiter;

	private final CircuitBreaker circuitBreaker;

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread thread = new Thread(runnable, "llcuda-time-limiter");
		thread.setDaemon(true);
		return thread;
	});

	public Resilience4jRequestGuard(Bulkhead bulkhead, TimeLimiter timeLimiter, CircuitBreaker circuitBreaker) {
		this.bulkhead = bulkhead;
		this.timeLimiter = timeLimiter;
		this.circuitBreaker = circuitBreaker;
	}

	@Override
	public RequestHandle admit(GenerationRequest request, Function<GenerationRequest, RequestHandle> submit) {
		if (!this.circuitBreaker.tryAcquirePermission()) {
			CallNotPermittedException open = CallNotPermittedException
				.createCallNotPermittedException(this.circuitBreaker);
			throw new TransientAiException(String.valueOf(open.getMessage()), open);
		}
		if (!this.bulkhead.tryAcquirePermission()) {
			this.circuitBreaker.releasePermission();
			BulkheadFullException full = BulkheadFullException.createBulkheadFullException(this.bulkhead);
			throw new TransientAiException(String.valueOf(full.getMessage()), full);
		}
		long start = System.nanoTime();
		RequestHandle handle;
		try {
			handle = submit.apply(request);
		}
		catch (EngineOverloadedException | IllegalArgumentException e) {
			// refused before it ran (a full queue, a bad request): no engine fault
			this.bulkhead.onComplete();
			this.circuitBreaker.releasePermission();
			throw e;
		}
		catch (RuntimeException e) {
			this.bulkhead.onComplete();
			this.circuitBreaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
			throw e;
		}
		// The limiter watches a copy: whatever it does to its future on timeout, the
		// engine's own result
		// completes only from the engine (here with CANCELLED).
		this.timeLimiter.executeCompletionStage(this.timer, () -> handle.result().thenApply(result -> result))
			.whenComplete((result, error) -> {
				if (error != null && unwrap(error) instanceof TimeoutException) {
					handle.cancel();
				}
			});
		handle.result().whenComplete((result, error) -> record(result, System.nanoTime() - start));
		return handle;
	}

	private void record(GenerationResult result, long nanos) {
		this.bulkhead.onComplete();
		// A request refused alone (InvalidRequestException) is the client's mistake, not
		// an engine fault.
		if (result.finishReason() == FinishReason.ERROR
				&& !(result.error().orElse(null) instanceof InvalidRequestException)) {
			this.circuitBreaker.onError(nanos, TimeUnit.NANOSECONDS,
					result.error().orElseGet(() -> new IllegalStateException("engine error")));
		}
		else {
			this.circuitBreaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
		}
	}

	private static Throwable unwrap(Throwable error) {
		return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
	}

	@Override
	public void close() {
		this.timer.shutdownNow();
	}

}
