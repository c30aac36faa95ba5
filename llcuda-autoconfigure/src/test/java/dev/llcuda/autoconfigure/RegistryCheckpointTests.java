package dev.llcuda.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.hf.HfFixtures;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.registry.EntryKind;
import dev.llcuda.registry.ModelRecord;
import dev.llcuda.registry.ModelRegistry;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.NativeRuntime;
import dev.llcuda.runtime.TestServing;

/**
 * A Hugging Face checkpoint directory in the registry, through the real native library on
 * the CPU: it registers as {@code HF_CHECKPOINT} with the directory's checksum and, once
 * activated, is served from its conversion in the cache with the text the GGUF file it
 * was written from gives (F32 both ways: the same weights exactly).
 */
class RegistryCheckpointTests {

	@TempDir
	Path temp;

	@Test
	void aRegisteredCheckpointActivatesAndServesWhatItsGgufServes() throws Exception {
		Path models = Files.createDirectories(this.temp.resolve("models"));
		Path f32 = Files.copy(TestServing.MICRO_LLAMA.resolveSibling("micro-llama-f32.gguf"),
				models.resolve("micro-f32.gguf"));
		NativeRegistryRunner.of(this.temp).run(context -> {
			NativeLibrary library = context.getBean(NativeRuntime.class).library().orElseThrow();
			Path checkpoint = new HfFixtures(library).write(f32, models.resolve("micro-hf"), GgmlType.F32, 2);
			ModelRegistry registry = context.getBean(ModelRegistry.class);
			LlcudaRuntime runtime = context.getBean(LlcudaRuntime.class);
			registry.activate(registry.register(f32).id());
			String fromGguf = NativeRegistryRunner.greedy(runtime, null);

			ModelRecord entry = registry.register(checkpoint);
			assertThat(entry.facts().kind()).isEqualTo(EntryKind.HF_CHECKPOINT);
			assertThat(entry.facts().architecture()).isEqualTo("llama");
			assertThat(entry.sha256()).hasSize(64);
			registry.activate(entry.id());
			assertThat(runtime.servedFile().orElseThrow()).startsWith(this.temp.resolve("cache"));
			assertThat(NativeRegistryRunner.greedy(runtime, null)).isEqualTo(fromGguf);
			assertThat(registry.active().orElseThrow().id()).isEqualTo(entry.id());
		});
	}

}
