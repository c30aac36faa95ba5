package dev.llcuda.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.llcuda.registry.ModelPulls;
import dev.llcuda.registry.ModelRegistry;

/**
 * {@link LlcudaRegistryAutoConfiguration}: the registry in its own H2 file (migrated by
 * its own Flyway) and its pulls, or nothing with {@code llcuda.registry.enabled=false}.
 */
class LlcudaRegistryAutoConfigurationTests {

	@TempDir
	Path temp;

	private ApplicationContextRunner runner() throws IOException {
		return LlcudaContextRunner.of(this.temp)
			.withConfiguration(
					AutoConfigurations.of(LlcudaAutoConfiguration.class, LlcudaRegistryAutoConfiguration.class));
	}

	@Test
	void theRegistryKeepsItsOwnDatabaseFile() throws IOException {
		runner().run(context -> {
			assertThat(context).hasSingleBean(ModelRegistry.class).hasSingleBean(ModelPulls.class);
			assertThat(Files.exists(this.temp.resolve("registry.mv.db"))).isTrue();
		});
	}

	@Test
	void itCanBeSwitchedOff() throws IOException {
		runner().withPropertyValues("llcuda.registry.enabled=false")
			.run(context -> assertThat(context).doesNotHaveBean(ModelRegistry.class).doesNotHaveBean(ModelPulls.class));
	}

}
