package dev.llcuda.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.llcuda.engine.GenerationRequest;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.ServingModel;

/**
 * A context with the registry and the real native library on the CPU, serving nothing
 * until an entry is activated: the model folder {@code temp/models}, the registry's
 * database and the conversion and merge caches under {@code temp}.
 */
final class NativeRegistryRunner {

	private NativeRegistryRunner() {
	}

	static ApplicationContextRunner of(Path temp) throws IOException {
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(LlcudaAutoConfiguration.class, LlcudaRegistryAutoConfiguration.class))
			.withPropertyValues("llcuda.model.cache-dir=" + temp.resolve("cache"),
					"llcuda.native.cache-dir=" + temp.resolve("native"), "llcuda.gpu.enabled=false",
					"llcuda.engine.cpu-threads=1", "llcuda.registry.database-file=" + temp.resolve("registry"),
					"llcuda.registry.model-folders=" + Files.createDirectories(temp.resolve("models")),
					"llcuda.registry.scan-on-startup=false");
	}

	/**
	 * The greedy continuation of a fixed prompt, with the LoRA adapter {@code lora}
	 * (null: none).
	 */
	static String greedy(LlcudaRuntime runtime, @Nullable String lora) throws Exception {
		ServingModel model = runtime.requireServing();
		int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
		GenerationRequest request = GenerationRequest.greedy(prompt, 12);
		return model.engine()
			.submit(lora == null ? request : request.withAdapter(lora))
			.result()
			.get(60, TimeUnit.SECONDS)
			.text();
	}

}
