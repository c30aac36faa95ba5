package dev.llcuda.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.llcuda.engine.PeftFixtures;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.model.ModelSpec;
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
 * does not fit the model, and loaded again with the model after a restart; a PEFT adapter
 * directory merged as its GGUF twin is, and loaded beside the model for the requests that
 * name it.
 */
class RegistryAdaptersTests {

	@TempDir
	Path temp;

	/** An adapter of every layer's q projection of the micro model, of rank 4. */
	private Path adapter(String name, long in) throws IOException {
		return TestAdapters.qProjection(this.temp.resolve("models").resolve(name), "llama", in, 0.5f);
	}

	@Test
	void aRegisteredAdapterIsMergedIntoTheActivatedModelAMisShapedOneIsRefusedNamingBothAndARestartLoadsBoth()
			throws Exception {
		Files.copy(TestServing.MICRO_LLAMA, Files.createDirectories(this.temp.resolve("models")).resolve("micro.gguf"));
		Path merged = this.temp.resolve("cache").resolve("merged");
		long[] ids = new long[3];
		NativeRegistryRunner.of(this.temp).run(context -> {
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
		NativeRegistryRunner.of(this.temp).run(context -> {
			ModelRegistry registry = context.getBean(ModelRegistry.class);
			registry.resumeActive();
			assertThat(context.getBean(LlcudaRuntime.class).servedFile().orElseThrow()).startsWith(merged);
			assertThat(registry.activations()).singleElement()
				.satisfies(activation -> assertThat(activation.adapters().merged()).containsExactly(ids[1]));
		});
	}

	@Test
	void aRegisteredPeftAdapterMergesAsItsGgufTwinAndLoadedBesideRunsForTheRequestsNamingIt() throws Exception {
		Path models = Files.createDirectories(this.temp.resolve("models"));
		Path f32 = Files.copy(TestServing.MICRO_LLAMA.resolveSibling("micro-llama-f32.gguf"),
				models.resolve("micro-f32.gguf"));
		ModelSpec spec;
		try (GgufFile file = GgufFile.open(f32)) {
			spec = ModelSpec.from(file);
		}
		Map<String, float[]> pairs = PeftFixtures.randomPairs(f32, 23);
		Path peft = PeftFixtures.peft(models, "tuned", spec, pairs, PeftFixtures.config(""));
		Path twin = PeftFixtures.gguf(models, "tuned-twin.gguf", spec, pairs, 16f);
		NativeRegistryRunner.of(this.temp).run(context -> {
			ModelRegistry registry = context.getBean(ModelRegistry.class);
			LlcudaRuntime runtime = context.getBean(LlcudaRuntime.class);
			long model = registry.register(f32).id();
			ModelRecord adapter = registry.register(peft);
			assertThat(adapter.facts().kind()).isEqualTo(EntryKind.PEFT_ADAPTER);
			assertThat(ModelRegistry.adapterName(adapter)).isEqualTo("tuned");
			long ggufTwin = registry.register(twin).id();
			registry.activate(model);
			String base = NativeRegistryRunner.greedy(runtime, null);

			registry.activate(model, new ActivationAdapters(List.of(adapter.id()), List.of()));
			String merged = NativeRegistryRunner.greedy(runtime, null);
			assertThat(merged).isNotEqualTo(base);
			registry.activate(model, new ActivationAdapters(List.of(ggufTwin), List.of()));
			assertThat(NativeRegistryRunner.greedy(runtime, null)).isEqualTo(merged);

			registry.activate(model, new ActivationAdapters(List.of(), List.of(adapter.id())));
			assertThat(NativeRegistryRunner.greedy(runtime, null)).isEqualTo(base);
			assertThat(NativeRegistryRunner.greedy(runtime, "tuned")).isNotEqualTo(base);
			assertThat(registry.activations()).singleElement().satisfies(activation -> {
				assertThat(activation.adapters().beside()).containsExactly(adapter.id());
				assertThat(activation.adapters().merged()).isEmpty();
			});
		});
	}

}
