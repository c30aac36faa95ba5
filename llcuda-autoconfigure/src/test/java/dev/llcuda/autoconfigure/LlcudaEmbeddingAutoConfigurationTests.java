package dev.llcuda.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.llcuda.runtime.ModelSet;

/**
 * {@link LlcudaEmbeddingAutoConfiguration}'s conditions (serving a model through it is
 * {@code LlcudaEmbeddingModelTests}): no model without {@code llcuda.embedding.path},
 * none when {@code spring.ai.model.embedding} names another, and a path without the
 * native library fails the start naming the property.
 */
class LlcudaEmbeddingAutoConfigurationTests {

	@TempDir
	Path temp;

	private ApplicationContextRunner runner() throws IOException {
		return LlcudaContextRunner.of(this.temp)
			.withPropertyValues("llcuda.registry.enabled=false")
			.withConfiguration(
					AutoConfigurations.of(LlcudaAutoConfiguration.class, LlcudaEmbeddingAutoConfiguration.class));
	}

	@Test
	void withoutAPathThereIsNoEmbeddingModel() throws IOException {
		runner().run(context -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(EmbeddingModel.class);
			assertThat(context.getBean(ModelSet.class).embeddings()).isEmpty();
		});
	}

	@Test
	void anotherEmbeddingModelNamedInSpringAiModelEmbeddingSwitchesItOff() throws IOException {
		runner()
			.withPropertyValues("llcuda.embedding.path=" + this.temp.resolve("bert.gguf"),
					"spring.ai.model.embedding=none")
			.run(context -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(EmbeddingModel.class);
				assertThat(context.getBean(ModelSet.class).embeddings()).isEmpty();
			});
	}

	@Test
	void aPathWithoutTheNativeLibraryFailsTheStartNamingTheProperty() throws IOException {
		runner().withPropertyValues("llcuda.embedding.path=" + this.temp.resolve("bert.gguf")).run(context -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("llcuda.embedding.path is set but the native library is not loaded");
		});
	}

}
