package dev.llcuda.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.llcuda.chat.RequestGuard;
import dev.llcuda.chat.Resilience4jRequestGuard;

/**
 * {@link LlcudaResilienceAutoConfiguration}: the {@code llcuda} bulkhead sized from the
 * engine limits and the time limiter from the request timeout unless the application's
 * registries configure them.
 */
class LlcudaResilienceAutoConfigurationTests {

	@TempDir
	Path temp;

	private ApplicationContextRunner runner() throws IOException {
		return LlcudaContextRunner.of(this.temp)
			.withPropertyValues("llcuda.registry.enabled=false")
			.withConfiguration(
					AutoConfigurations.of(LlcudaAutoConfiguration.class, LlcudaResilienceAutoConfiguration.class));
	}

	@Test
	void theBulkheadHoldsTheRunningAndQueuedRequestsAndTheTimeLimitIsTheRequestTimeout() throws IOException {
		BulkheadRegistry bulkheads = BulkheadRegistry.ofDefaults();
		TimeLimiterRegistry timeLimiters = TimeLimiterRegistry.ofDefaults();
		runner().withBean(BulkheadRegistry.class, () -> bulkheads)
			.withBean(TimeLimiterRegistry.class, () -> timeLimiters)
			.withPropertyValues("llcuda.engine.max-running-sequences=3", "llcuda.engine.max-queued=5",
					"llcuda.engine.request-timeout=7s")
			.run(context -> {
				assertThat(context).hasSingleBean(Resilience4jRequestGuard.class);
				assertThat(context.getBean(RequestGuard.class)).isInstanceOf(Resilience4jRequestGuard.class);
				assertThat(bulkheads.bulkhead(Resilience4jRequestGuard.INSTANCE)
					.getBulkheadConfig()
					.getMaxConcurrentCalls()).isEqualTo(8);
				assertThat(timeLimiters.timeLimiter(Resilience4jRequestGuard.INSTANCE)
					.getTimeLimiterConfig()
					.getTimeoutDuration()).isEqualTo(Duration.ofSeconds(7));
			});
	}

	@Test
	void aBulkheadTheApplicationConfiguredIsKept() throws IOException {
		BulkheadRegistry bulkheads = BulkheadRegistry.ofDefaults();
		bulkheads.bulkhead(Resilience4jRequestGuard.INSTANCE, BulkheadConfig.custom().maxConcurrentCalls(2).build());
		runner().withBean(BulkheadRegistry.class, () -> bulkheads).run(context -> {
			assertThat(context).hasSingleBean(Resilience4jRequestGuard.class);
			assertThat(
					bulkheads.bulkhead(Resilience4jRequestGuard.INSTANCE).getBulkheadConfig().getMaxConcurrentCalls())
				.isEqualTo(2);
		});
	}

}
