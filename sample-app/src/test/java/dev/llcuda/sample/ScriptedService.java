package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.RuntimeState;

/**
 * The service on the tiny random Llama 2 (its real 32,000-token vocabulary, a 4,096-token
 * context for prompts with tool definitions) with {@link ScriptedModelConfiguration}; its
 * test classes share one application context per {@link ChatScript} (Qwen 2.5's unless a
 * class sets {@value ScriptedModelConfiguration#SCRIPT_PROPERTY}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(ScriptedModelConfiguration.class)
abstract class ScriptedService {

	static final Path MODEL = SampleApplicationTests.MODELS.resolve("llama-2-tiny-random.gguf");

	/**
	 * The API key OpenAI's client sends: the service requires keys once any is
	 * configured.
	 */
	static final String API_KEY = "api-key-of-the-scripted-tests-0123";

	@LocalServerPort
	int port;

	@Autowired
	LlcudaRuntime runtime;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("llcuda.model.path", MODEL::toString);
		registry.add("llcuda.native.cache-dir", SampleApplicationTests.NATIVE_CACHE::toString);
		registry.add("llcuda.gpu.enabled", () -> "false");
		registry.add("llcuda.registry.model-folders", SampleApplicationTests.MODELS::toString);
		registry.add("llcuda.registry.scan-on-startup", () -> "false");
		// one registry per chat script: contexts of different scripts live side by side
		registry.add("llcuda.registry.database-file", () -> Path.of("target", "registry-scripted").toAbsolutePath()
				+ "-${" + ScriptedModelConfiguration.SCRIPT_PROPERTY + ":QWEN}");
		registry.add("llcuda.security.api-keys", () -> API_KEY);
	}

	@BeforeEach
	void awaitReady() throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (this.runtime.state() == RuntimeState.LOADING && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(this.runtime.state()).as(this.runtime.failure().orElse("")).isEqualTo(RuntimeState.READY);
	}

	String servedModel() {
		return this.runtime.requireServing().spec().name();
	}

}
