package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.ClassUtils;

import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.RuntimeState;

/**
 * The service started without a model: it says so and how to load one; the registry loads
 * one.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServiceWithoutModelTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		RegistryOnlyService.properties(registry, SampleApplicationTests.MODELS, "registry-no-model");
	}

	@LocalServerPort
	int port;

	@Autowired
	LlcudaRuntime runtime;

	@Autowired
	ApplicationContext context;

	@Test
	void withoutAModelHealthThePageAndTheApiSayHowToLoadOneThenTheRegistryLoadsIt() throws Exception {
		HttpResponse<String> health = send(get("/actuator/health/llcuda"));
		assertThat(health.statusCode()).isEqualTo(503);
		JsonNode llcuda = JSON.readTree(health.body());
		assertThat(llcuda.at("/status").asString()).isEqualTo("OUT_OF_SERVICE");
		assertThat(llcuda.at("/details/howToLoad").asString()).isEqualTo(LlcudaRuntime.HOW_TO_LOAD);
		assertThat(JSON.readTree(send(get("/api/status")).body()).at("/message").asString())
			.startsWith("No model is loaded. To serve one, set llcuda.model.path");
		assertThat(send(get("/")).body()).contains("<title>llcuda</title>");

		HttpResponse<String> refused = send(
				post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}"));
		assertThat(refused.statusCode()).isEqualTo(503);
		assertThat(JSON.readTree(refused.body()).at("/error/code").asString()).isEqualTo("no_model_loaded");
		assertThat(JSON.readTree(refused.body()).at("/error/type").asString()).isEqualTo("unavailable_error");

		HttpResponse<String> outside = send(post("/actuator/llcudamodels", "{\"path\": \"/etc/hostname\"}"));
		assertThat(outside.statusCode()).isEqualTo(400);

		JsonNode registered = JSON.readTree(
				send(post("/actuator/llcudamodels", "{\"path\": \"" + SampleApplicationTests.MODEL + "\"}")).body());
		assertThat(registered.at("/quantization").asString()).isEqualTo("Q8_0");
		assertThat(registered.at("/sha256").asString()).hasSize(64);
		long id = registered.at("/id").asLong();
		JsonNode activated = JSON
			.readTree(send(post("/actuator/llcudamodels/" + id, "{\"action\": \"activate\"}")).body());
		assertThat(activated.at("/status").asString()).isEqualTo("ACTIVE");
		assertThat(this.runtime.state()).isEqualTo(RuntimeState.READY);
		assertThat(send(post("/v1/chat/completions",
				"{\"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}], \"max_tokens\": 4}"))
			.statusCode()).isEqualTo(200);
		assertThat(send(get("/actuator/health/llcuda")).statusCode()).isEqualTo(200);
	}

	@Test
	void theStarterAddsNoDatabaseMigrationOrDatabaseHealthToTheService() throws Exception {
		// Boot's JDBC and Flyway auto-configurations are not even on the service's
		// classpath
		assertThat(
				ClassUtils.isPresent("org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration", null))
			.isFalse();
		assertThat(ClassUtils.isPresent("org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration", null))
			.isFalse();
		assertThat(this.context.getBeanNamesForType(DataSource.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(Flyway.class)).isEmpty();
		JsonNode components = JSON.readTree(send(get("/actuator/health")).body()).at("/components");
		assertThat(components.has("llcuda")).isTrue();
		assertThat(components.has("db")).isFalse();
	}

	/** As the admin (health details, registry writes). */
	private HttpRequest get(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(60))
			.header("Authorization", "Bearer " + MicroModelService.ADMIN_KEY)
			.GET()
			.build();
	}

	private HttpRequest post(String path, String body) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(60))
			.header("Authorization", "Bearer " + MicroModelService.ADMIN_KEY)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
	}

	private static HttpResponse<String> send(HttpRequest request) throws Exception {
		return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
	}

}
