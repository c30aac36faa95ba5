package dev.llcuda.autoconfigure;

import java.time.Duration;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.llcuda.chat.RequestGuard;
import dev.llcuda.chat.Resilience4jRequestGuard;
import dev.llcuda.runtime.EngineLimits;

/**
 * Resilience4j admission for chat requests: the {@code llcuda} bulkhead, time limiter and
 * circuit breaker from the application's Resilience4j registries (configurable under
 * {@code resilience4j.*.instances.llcuda}; by default sized from the engine limits and
 * {@code llcuda.engine.request-timeout}), so their Resilience4j metrics appear with
 * Micrometer.
 */
@AutoConfiguration(after = LlcudaAutoConfiguration.class,
		afterName = { "io.github.resilience4j.springboot.bulkhead.autoconfigure.BulkheadAutoConfiguration",
				"io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration",
				"io.github.resilience4j.springboot.timelimiter.autoconfigure.TimeLimiterAutoConfiguration" })
@ConditionalOnClass({ BulkheadRegistry.class, CircuitBreakerRegistry.class, TimeLimiterRegistry.class })
public final class LlcudaResilienceAutoConfiguration {

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean(RequestGuard.class)
	Resilience4jRequestGuard llcudaRequestGuard(LlcudaProperties properties, EngineLimits limits,
			ObjectProvider<BulkheadRegistry> bulkheads, ObjectProvider<TimeLimiterRegistry> timeLimiters,
			ObjectProvider<CircuitBreakerRegistry> circuitBreakers) {
		String name = Resilience4jRequestGuard.INSTANCE;
		BulkheadRegistry bulkheadRegistry = bulkheads.getIfUnique(BulkheadRegistry::ofDefaults);
		TimeLimiterRegistry timeLimiterRegistry = timeLimiters.getIfUnique(TimeLimiterRegistry::ofDefaults);
		CircuitBreakerRegistry circuitBreakerRegistry = circuitBreakers.getIfUnique(CircuitBreakerRegistry::ofDefaults);
		Duration timeout = properties.getEngine().getRequestTimeout();
		return new Resilience4jRequestGuard(
				bulkheadRegistry.find(name)
					.orElseGet(() -> bulkheadRegistry.bulkhead(name,
							BulkheadConfig.custom()
								.maxConcurrentCalls(limits.maxRunningSequences() + limits.maxQueued())
								.maxWaitDuration(Duration.ZERO)
								.build())),
				timeLimiterRegistry.find(name)
					.orElseGet(() -> timeLimiterRegistry.timeLimiter(name,
							TimeLimiterConfig.custom().timeoutDuration(timeout).cancelRunningFuture(false).build())),
				circuitBreakerRegistry.circuitBreaker(name));
	}

}
