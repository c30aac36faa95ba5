package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.hf.HfFixtures;
import dev.llcuda.runtime.NativeRuntime;

/**
 * A Hugging Face checkpoint directory through the registry over real HTTP, the service on
 * the CPU with the real native library: registered as {@code HF_CHECKPOINT} with its
 * directory's checksum, activated (converted into the cache), it answers a chat request
 * as the F32 GGUF file it was written from does.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RegistryCheckpointHttpTests {

	private static final Path FOLDER = Path.of("target", "registry-checkpoint-http").toAbsolutePath();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		Files.createDirectories(FOLDER);
		Files.copy(SampleApplicationTests.MODELS.resolve("micro-llama-f32.gguf"), FOLDER.resolve("micro-f32.gguf"),
				StandardCopyOption.REPLACE_EXISTING);
		RegistryOnlyService.properties(registry, FOLDER, "registry-checkpoint-http");
		registry.add("llcuda.model.cache-dir", () -> FOLDER.resolve("cache").toString());
	}

	@LocalServerPort
	int port;

	@Autowired
	NativeRuntime nativeRuntime;

	@Test
	void aRegisteredCheckpointActivatesAndAnswersAsItsGgufDoes() throws Exception {
		Path checkpoint = new HfFixtures(this.nativeRuntime.library().orElseThrow())
			.write(FOLDER.resolve("micro-f32.gguf"), FOLDER.resolve("micro-hf"), GgmlType.F32, 1);
		activate(register(FOLDER.resolve("micro-f32.gguf")).at("/id").asLong());
		String fromGguf = chat();

		JsonNode entry = register(checkpoint);
		assertThat(entry.at("/kind").asString()).isEqualTo("HF_CHECKPOINT");
		assertThat(entry.at("/architecture").asString()).isEqualTo("llama");
		assertThat(entry.at("/sha256").asString()).hasSize(64);
		activate(entry.at("/id").asLong());
		assertThat(chat()).isEqualTo(fromGguf);
	}

	private JsonNode register(Path path) throws Exception {
		return http().postOk("/actuator/llcudamodels", "{\"path\": \"" + path + "\"}");
	}

	private void activate(long id) throws Exception {
		http().postOk("/actuator/llcudamodels/" + id, "{\"action\": \"activate\"}");
	}

	private String chat() throws Exception {
		return http()
			.postOk("/v1/chat/completions",
					"{\"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}], \"max_tokens\": 12, \"seed\": 42}")
			.at("/choices/0/message/content")
			.asString();
	}

	private AdminHttp http() {
		return new AdminHttp(this.port);
	}

}
