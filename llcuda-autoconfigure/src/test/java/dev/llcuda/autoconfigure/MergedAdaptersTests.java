package dev.llcuda.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.llcuda.engine.AdapterMerger;
import dev.llcuda.engine.GenerationRequest;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.RuntimeState;
import dev.llcuda.runtime.ServingModel;
import dev.llcuda.runtime.TestAdapters;
import dev.llcuda.runtime.TestServing;

/**
 * {@code llcuda.model.adapters}: the model is served from the merge of its adapters, made
 * once into {@code cache-dir/merged} and reused by the next start; an adapter without a
 * path is refused naming the property. The real native library on the CPU.
 */
class MergedAdaptersTests {

	@TempDir
	Path temp;

	/** An adapter of every layer's q projection of the micro model ([256, 256]). */
	private Path adapter() throws IOException {
		return TestAdapters.qProjection(this.temp.resolve("adapter.gguf"), "llama", 256, 0.5f);
	}

	private ApplicationContextRunner runner(String... properties) throws IOException {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LlcudaAutoConfiguration.class))
			.withPropertyValues("llcuda.model.path=" + TestServing.MICRO_LLAMA,
					"llcuda.model.cache-dir=" + this.temp.resolve("cache"),
					"llcuda.native.cache-dir=" + this.temp.resolve("native"), "llcuda.gpu.enabled=false",
					"llcuda.engine.cpu-threads=1", "llcuda.registry.database-file=" + this.temp.resolve("registry"),
					"llcuda.registry.model-folders=" + Files.createDirectories(this.temp.resolve("models")),
					"llcuda.registry.scan-on-startup=false")
			.withPropertyValues(properties);
	}

	private static String greedy(ServingModel model) throws Exception {
		int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
		return model.engine().submit(GenerationRequest.greedy(prompt, 12)).result().get(60, TimeUnit.SECONDS).text();
	}

	private static ServingModel serving(LlcudaRuntime runtime) throws InterruptedException {
		for (int i = 0; i < 600 && runtime.state() != RuntimeState.READY; i++) {
			Thread.sleep(100);
		}
		assertThat(runtime.state()).isEqualTo(RuntimeState.READY);
		return runtime.requireServing();
	}

	@Test
	void theModelIsServedFromItsMergeMadeOnceIntoTheCache() throws Exception {
		Path adapter = adapter();
		Path merged = this.temp.resolve("cache").resolve("merged");
		String[] adapters = { "llcuda.model.adapters[0].path=" + adapter, "llcuda.model.adapters[0].scale=0.5" };
		String[] base = new String[1];
		runner().run(context -> base[0] = greedy(serving(context.getBean(LlcudaRuntime.class))));
		String[] first = new String[1];
		runner(adapters).run(context -> {
			ServingModel model = serving(context.getBean(LlcudaRuntime.class));
			assertThat(model.path().getParent()).isEqualTo(merged);
			first[0] = greedy(model);
		});
		assertThat(first[0]).isNotEqualTo(base[0]);
		Path file;
		try (Stream<Path> files = Files.list(merged)) {
			List<Path> all = files.toList();
			assertThat(all).hasSize(1);
			file = all.get(0);
		}
		Path expected = this.temp.resolve("expected.gguf");
		new AdapterMerger(NativeLibrary.load(NativeLibraryOptions.defaults())).merge(TestServing.MICRO_LLAMA,
				List.of(new AdapterMerger.Lora(adapter, 0.5f)), expected);
		assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(expected));
		BasicFileAttributes written = Files.readAttributes(file, BasicFileAttributes.class);
		runner(adapters)
			.run(context -> assertThat(greedy(serving(context.getBean(LlcudaRuntime.class)))).isEqualTo(first[0]));
		BasicFileAttributes reused = Files.readAttributes(file, BasicFileAttributes.class);
		assertThat(reused.fileKey()).isEqualTo(written.fileKey());
		assertThat(reused.lastModifiedTime()).isEqualTo(written.lastModifiedTime());
	}

	@Test
	void anAdapterWithoutAPathIsRefusedNamingTheProperty() throws IOException {
		runner("llcuda.model.adapters[0].scale=2").run(context -> assertThat(context).getFailure()
			.rootCause()
			.hasMessageContaining("llcuda.model.adapters[0].path is not set"));
	}

}
