package dev.llcuda.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.llcuda.actuate.LlcudaHealthIndicator;

/**
 * {@link LlcudaHealthContributorAutoConfiguration}: the {@code llcuda} health
 * contributor, down with the reason when the native library does not load, and switched
 * off by {@code management.health.llcuda.enabled=false}.
 */
class LlcudaHealthContributorAutoConfigurationTests {

	@TempDir
	Path temp;

	private ApplicationContextRunner runner() throws IOException {
		return LlcudaContextRunner.of(this.temp)
			.withPropertyValues("llcuda.registry.enabled=false")
			.withConfiguration(AutoConfigurations.of(LlcudaAutoConfiguration.class,
					LlcudaHealthContributorAutoConfiguration.class));
	}

	@Test
	void theContributorReportsTheRuntime() throws IOException {
		runner().run(context -> {
			assertThat(context).hasBean("llcudaHealthContributor");
			assertThat(context.getBean(LlcudaHealthIndicator.class).health(true).getStatus()).isEqualTo(Status.DOWN);
		});
	}

	@Test
	void itCanBeSwitchedOff() throws IOException {
		runner().withPropertyValues("management.health.llcuda.enabled=false")
			.run(context -> assertThat(context).doesNotHaveBean(LlcudaHealthIndicator.class));
	}

}
