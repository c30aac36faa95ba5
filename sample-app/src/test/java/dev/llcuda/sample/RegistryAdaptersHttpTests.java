package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.llcuda.engine.PeftFixtures;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.model.ModelSpec;

/**
 * A PEFT adapter directory through the registry over real HTTP, the service on the CPU
 * with the real native library: registered as {@code PEFT_ADAPTER}, a model activated
 * with it beside ({@code "lora"}) answers a chat request naming it differently from one
 * naming none, which the base model answers; activated with it merged
 * ({@code "adapters"}), every request runs with it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RegistryAdaptersHttpTests {

	private static final Path FOLDER = Path.of("target", "registry-adapters-http").toAbsolutePath();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		Files.createDirectories(FOLDER);
		Path model = Files.copy(SampleApplicationTests.MODEL, FOLDER.resolve("micro.gguf"),
				StandardCopyOption.REPLACE_EXISTING);
		try (GgufFile file = GgufFile.open(model)) {
			PeftFixtures.peft(FOLDER, "tuned", ModelSpec.from(file), PeftFixtures.randomPairs(model, 7),
					PeftFixtures.config(""));
		}
		RegistryOnlyService.properties(registry, FOLDER, "registry-adapters-http");
		registry.add("llcuda.model.cache-dir", () -> FOLDER.resolve("cache").toString());
	}

	@LocalServerPort
	int port;

	@Test
	void aPeftAdapterActivatedBesideRunsForTheRequestsNamingItAndMergedForEveryRequest() throws Exception {
		long model = http().postOk("/actuator/llcudamodels", "{\"path\": \"" + FOLDER.resolve("micro.gguf") + "\"}")
			.at("/id")
			.asLong();
		JsonNode adapter = http().postOk("/actuator/llcudamodels", "{\"path\": \"" + FOLDER.resolve("tuned") + "\"}");
		assertThat(adapter.at("/kind").asString()).isEqualTo("PEFT_ADAPTER");
		assertThat(adapter.at("/loraName").asString()).isEqualTo("tuned");
		long tuned = adapter.at("/id").asLong();

		activate(model, "");
		String base = chat(null);
		activate(model, ", \"lora\": \"" + tuned + "\"");
		assertThat(chat(null)).isEqualTo(base);
		String named = chat("tuned");
		assertThat(named).isNotEqualTo(base);

		activate(model, ", \"adapters\": \"" + tuned + "\"");
		assertThat(chat(null)).isNotEqualTo(base);
		JsonNode activations = AdminHttp.json(http().get("/actuator/llcudamodels")).at("/activations");
		assertThat(activations.at("/0/adapters/0").asLong()).isEqualTo(tuned);
		assertThat(activations.at("/0/lora").isEmpty()).isTrue();
	}

	private void activate(long model, String adapters) throws Exception {
		http().postOk("/actuator/llcudamodels/" + model, "{\"action\": \"activate\"" + adapters + "}");
	}

	/** The answer to a fixed request, with the LoRA adapter {@code lora} (null: none). */
	private String chat(@Nullable String lora) throws Exception {
		return http()
			.postOk("/v1/chat/completions",
					"{\"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}], \"max_tokens\": 12, \"seed\": 42"
							+ (lora == null ? "" : ", \"lora\": [{\"name\": \"" + lora + "\"}]") + "}")
			.at("/choices/0/message/content")
			.asString();
	}

	private AdminHttp http() {
		return new AdminHttp(this.port);
	}

}
