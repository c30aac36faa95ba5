package dev.llcuda.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.llcuda.registry.ActivationAdapters;
import dev.llcuda.registry.EntryKind;
import dev.llcuda.registry.ModelRecord;
import dev.llcuda.registry.ModelRegistry;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.TestAdapters;
import dev.llcuda.runtime.TestServing;

/**
 * Registered adapters activated with a registered model through the real native library
 * on the CPU: merged into the served weights, refused naming both when a tensor's shape
 * does not fit the model, and loaded again with the model after a restart.
 */
class RegistryAdaptersTests {

	@TempDir
	Path temp;

	/** An adapter of every layer's q projection of the micro model, of rank 4. */
	private Path adapter(String name, long in) throws IOException {
		return TestAdapters.qProjection(this.temp.resolve("models").resolve(name), "llama", in, 0.5f);
	}

	private ApplicationContextRunner runner() throws IOException {
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(LlcudaAutoConfiguration.class, LlcudaRegistryAutoConfiguration.class))
			.withPropertyValues("llcuda.model.cache-dir=" + this.temp.resolve("cache"),
					"llcuda.native.cache-dir=" + this.temp.resolve("native"), "llcuda.gpu.enabled=false",
					"llcuda.engine.cpu-threads=1", "llcuda.registry.database-file=" + this.temp.resolve("registry"),
					"llcuda.registry.model-folders=" + Files.createDirectories(this.temp.resolve("models")),
					"llcuda.registry.scan-on-startup=false");
	}

	@Test
	void aRegisteredAdapterIsMergedIntoTheActivatedModelAMisShapedOneIsRefusedNamingBothAndARestartLoadsBoth()
			throws Exception {
		Files.copy(TestServing.MICRO_LLAMA, Files.createDirectories(this.temp.resolve("models")).resolve("micro.gguf"));
		Path merged = this.temp.resolve("cache").resolve("merged");
		long[] ids = new long[3];
		runner().run(context -> {
			ModelRegistry registry = context.getBean(ModelRegistry.class);
			ModelRecord model = registry.register(this.temp.resolve("models").resolve("micro.gguf"));
			ModelRecord good = registry.register(adapter("good.gguf", 256));
			ModelRecord bad = registry.register(adapter("bad.gguf", 128));
			assertThat(good.facts().kind()).isEqualTo(EntryKind.GGUF_ADAPTER);
			ids[0] = model.id();
			ids[1] = good.id();
			ids[2] = bad.id();
			assertThatThrownBy(
					() -> registry.activate(model.id(), new ActivationAdapters(List.of(bad.id()), List.of())))
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("bad.gguf")
				.hasMessageContaining("micro.gguf");
			registry.activate(model.id(), new ActivationAdapters(List.of(good.id()), List.of()));
			assertThat(context.getBean(LlcudaRuntime.class).servedFile().orElseThrow()).startsWith(merged);
		});
		runner().run(context -> {
			ModelRegistry registry = context.getBean(ModelRegistry.class);
			registry.resumeActive();
			assertThat(context.getBean(LlcudaRuntime.class).servedFile().orElseThrow()).startsWith(merged);
			assertThat(registry.activations()).singleElement()
				.satisfies(activation -> assertThat(activation.adapters().merged()).containsExactly(ids[1]));
		});
	}

}
