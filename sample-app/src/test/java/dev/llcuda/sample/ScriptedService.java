package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.test.context.DynamicPropertyRegistry;

import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.RuntimeState;

/**
 * Properties and readiness of the service on the tiny random Llama 2 (its real 32,000-token
 * vocabulary, a 4,096-token context for prompts with tool definitions) with {@link ScriptedModelConfiguration}.
 */
final class ScriptedService {

    static final Path MODEL = SampleApplicationTests.MODELS.resolve("llama-2-tiny-random.gguf");

    private ScriptedService() {
    }

    static void properties(DynamicPropertyRegistry registry) {
        registry.add("llcuda.model.path", MODEL::toString);
        registry.add("llcuda.native.cache-dir", SampleApplicationTests.NATIVE_CACHE::toString);
        registry.add("llcuda.gpu.enabled", () -> "false");
        registry.add("llcuda.registry.model-folders", SampleApplicationTests.MODELS::toString);
        registry.add("llcuda.registry.scan-on-startup", () -> "false");
        registry.add("llcuda.registry.database-file",
                () -> Path.of("target", "registry-scripted").toAbsolutePath().toString());
    }

    static void awaitReady(LlcudaRuntime runtime) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (runtime.state() == RuntimeState.LOADING && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(runtime.state()).as(runtime.failure().orElse("")).isEqualTo(RuntimeState.READY);
    }
}
