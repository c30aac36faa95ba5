package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The registry endpoint over real HTTP: entries are listed with their kind, a registry
 * write with a field its operation does not take, or does not use ({@code "model"} beside
 * {@code "path"}), is refused with 400 naming it, and a model is not an adapter.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RegistryEntriesHttpTests {

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		RegistryOnlyService.properties(registry, SampleApplicationTests.MODELS, "registry-entries");
	}

	@LocalServerPort
	int port;

	@Test
	void entriesCarryTheirKindAndUnknownFieldsOrAModelNamedAsAdapterAreRefused() throws Exception {
		HttpResponse<String> unused = http().post("/actuator/llcudamodels",
				"{\"path\": \"" + SampleApplicationTests.MODEL + "\", \"model\": \"qwen\"}");
		assertThat(unused.statusCode()).isEqualTo(400);
		assertThat(unused.body()).contains("\\\"model\\\" does not go with registering");
		assertThat(AdminHttp.json(http().get("/actuator/llcudamodels")).at("/models").isEmpty()).isTrue();

		JsonNode registered = http().postOk("/actuator/llcudamodels",
				"{\"path\": \"" + SampleApplicationTests.MODEL + "\"}");
		assertThat(registered.at("/kind").asString()).isEqualTo("GGUF_MODEL");
		long id = registered.at("/id").asLong();

		HttpResponse<String> misspelt = http().post("/actuator/llcudamodels/" + id,
				"{\"action\": \"activate\", \"adapter\": \"1\"}");
		assertThat(misspelt.statusCode()).isEqualTo(400);
		assertThat(misspelt.body()).contains("unknown field adapter");

		HttpResponse<String> notAnAdapter = http().post("/actuator/llcudamodels/" + id,
				"{\"action\": \"activate\", \"adapters\": \"" + id + "\"}");
		assertThat(notAnAdapter.statusCode()).isEqualTo(400);
		assertThat(notAnAdapter.body()).contains("not a LoRA adapter");

		JsonNode listing = AdminHttp.json(http().get("/actuator/llcudamodels"));
		assertThat(listing.at("/models/0/kind").asString()).isEqualTo("GGUF_MODEL");
		assertThat(listing.at("/activations").isArray()).isTrue();
	}

	private AdminHttp http() {
		return new AdminHttp(this.port);
	}

}
