package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.TransientAiException;

import dev.llcuda.engine.EngineOverloadedException;
import dev.llcuda.engine.InvalidRequestException;
import dev.llcuda.runtime.NoModelLoadedException;

/**
 * Spring AI's exception families answer with the status and code of the llcuda exception
 * they wrap.
 */
class ApiErrorsTests {

	private static void assertAnswer(Throwable error, int status, String code) {
		ApiErrors.ApiError answer = ApiErrors.of(error);
		assertThat(answer.status().value()).isEqualTo(status);
		assertThat(answer.body().error().code()).isEqualTo(code);
		assertThat(answer.body().error().message()).isEqualTo(error.getMessage());
	}

	private static TransientAiException transientOf(Throwable cause) {
		return new TransientAiException(cause.getMessage(), cause);
	}

	@Test
	void transientFailuresKeepTheirOverloadAndUnavailableAnswers() {
		assertAnswer(transientOf(new EngineOverloadedException(8)), 429, "overloaded");
		assertAnswer(transientOf(BulkheadFullException.createBulkheadFullException(Bulkhead.ofDefaults("llcuda"))), 429,
				"overloaded");
		assertAnswer(
				transientOf(
						CallNotPermittedException.createCallNotPermittedException(CircuitBreaker.ofDefaults("llcuda"))),
				503, "circuit_open");
		assertAnswer(transientOf(new NoModelLoadedException("the model m.gguf is still loading")), 503,
				"no_model_loaded");
		assertAnswer(new TransientAiException("try again later"), 503, "unavailable");
	}

	@Test
	void nonTransientFailuresAreBadRequests() {
		InvalidRequestException invalid = new InvalidRequestException("top_p 0.0 must be in (0, 1] (1: off)");
		assertAnswer(new NonTransientAiException(invalid.getMessage(), invalid), 400, "invalid_value");
		assertAnswer(new NonTransientAiException("not supported"), 400, "invalid_value");
	}

}
