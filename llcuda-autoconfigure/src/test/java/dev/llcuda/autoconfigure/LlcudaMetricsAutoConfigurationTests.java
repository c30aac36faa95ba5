package dev.llcuda.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.llcuda.actuate.LlcudaEngineMetrics;
import dev.llcuda.actuate.LlcudaGpuMetrics;
import dev.llcuda.actuate.LlcudaRequestMetrics;

/**
 * {@link LlcudaMetricsAutoConfiguration}: the request, engine and GPU meter binders (what
 * they measure is {@code LlcudaAutoConfigurationTests}'
 * engineMetersAreBoundToTheApplicationsRegistry), each replaced by the application's own.
 */
class LlcudaMetricsAutoConfigurationTests {

	@TempDir
	Path temp;

	private ApplicationContextRunner runner() throws IOException {
		return LlcudaContextRunner.of(this.temp)
			.withPropertyValues("llcuda.registry.enabled=false")
			.withConfiguration(
					AutoConfigurations.of(LlcudaAutoConfiguration.class, LlcudaMetricsAutoConfiguration.class));
	}

	@Test
	void theMeterBindersAreConfigured() throws IOException {
		runner().run(context -> assertThat(context).hasSingleBean(LlcudaRequestMetrics.class)
			.hasSingleBean(LlcudaEngineMetrics.class)
			.hasSingleBean(LlcudaGpuMetrics.class));
	}

	@Test
	void theApplicationsRequestMetricsTakePrecedence() throws IOException {
		LlcudaRequestMetrics own = new LlcudaRequestMetrics();
		runner().withBean(LlcudaRequestMetrics.class, () -> own)
			.run(context -> assertThat(context.getBean(LlcudaRequestMetrics.class)).isSameAs(own));
	}

}
