package dev.llcuda.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

import dev.llcuda.engine.GenerationRequest;
import dev.llcuda.engine.RequestHandle;

/**
 * Admission of one generation request: limits on requests in flight, a time limit that
 * cancels generation, and a circuit breaker over engine faults.
 */
@FunctionalInterface
public interface RequestGuard {

	/**
	 * Submits {@code request} through {@code submit} when admitted.
	 * @throws RuntimeException when refused (overloaded, circuit open), saying why
	 */
	/** The time limit of a request when none is configured. */
	Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(120);

	RequestHandle admit(GenerationRequest request, Function<GenerationRequest, RequestHandle> submit);

	/**
	 * Without Resilience4j: only the time limit, as the engine's own deadline (the
	 * engine's queue limit still refuses overload).
	 */
	static RequestGuard deadline(Duration timeLimit) {
		return (request, submit) -> submit.apply(request.withDeadline(Instant.now().plus(timeLimit)));
	}

}
