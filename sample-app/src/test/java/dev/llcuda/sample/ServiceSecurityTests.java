package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service listening beyond the loopback (all interfaces; the tests connect through
 * 127.0.0.1) with API and admin keys: the API, the page's calls and the metrics need a
 * key, registry writes and health details an admin key, CORS is off.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServiceSecurityTests {

	static final String API_KEY = "api-key-of-the-tests-0123456789";

	/** Configured as its SHA-256 only. */
	static final String DIGESTED_KEY = "another-api-key-of-the-tests-42";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("server.address", () -> "0.0.0.0");
		registry.add("llcuda.security.api-keys",
				() -> API_KEY + ",sha256:" + HexFormat.of().formatHex(ApiKeys.sha256(DIGESTED_KEY)));
		registry.add("llcuda.security.admin-keys", () -> MicroModelService.ADMIN_KEY);
		registry.add("llcuda.native.cache-dir", SampleApplicationTests.NATIVE_CACHE::toString);
		registry.add("llcuda.gpu.enabled", () -> "false");
		registry.add("llcuda.registry.model-folders", SampleApplicationTests.MODELS::toString);
		registry.add("llcuda.registry.scan-on-startup", () -> "false");
		registry.add("llcuda.registry.database-file",
				() -> Path.of("target", "registry-security-" + ProcessHandle.current().pid())
					.toAbsolutePath()
					.toString());
	}

	@LocalServerPort
	int port;

	@Test
	void theApiThePagesCallsAndTheMetricsNeedAKeySentAsBearerToken() throws Exception {
		HttpResponse<String> anonymous = send("GET", "/v1/models", null, null);
		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(anonymous.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
		JsonNode error = JSON.readTree(anonymous.body()).at("/error");
		assertThat(error.at("/code").asString()).isEqualTo("invalid_api_key");
		assertThat(error.at("/type").asString()).isEqualTo("authentication_error");

		HttpResponse<String> wrong = send("GET", "/v1/models", API_KEY + "x", null);
		assertThat(wrong.statusCode()).isEqualTo(401);
		assertThat(JSON.readTree(wrong.body()).at("/error/message").asString()).isEqualTo("the API key is not valid");
		assertThat(send("GET", "/v1/models", API_KEY.substring(0, API_KEY.length() - 1), null).statusCode())
			.isEqualTo(401);
		assertThat(send("GET", "/v1/models", "sha256:" + HexFormat.of().formatHex(ApiKeys.sha256(DIGESTED_KEY)), null)
			.statusCode()).as("a configured digest is not itself a key").isEqualTo(401);

		assertThat(send("GET", "/v1/models", API_KEY, null).statusCode()).isEqualTo(200);
		assertThat(send("GET", "/v1/models", DIGESTED_KEY, null).statusCode()).isEqualTo(200);
		assertThat(send("GET", "/v1/models", MicroModelService.ADMIN_KEY, null).statusCode()).isEqualTo(200);
		assertThat(send("POST", "/v1/chat/completions", null, "{\"messages\": []}").statusCode()).isEqualTo(401);

		assertThat(send("GET", "/api/status", null, null).statusCode()).isEqualTo(401);
		assertThat(send("GET", "/api/status", API_KEY, null).statusCode()).isEqualTo(200);
		assertThat(send("GET", "/", null, null).body()).contains("<title>llcuda</title>");

		assertThat(send("GET", "/actuator/prometheus", null, null).statusCode()).isEqualTo(401);
		assertThat(send("GET", "/actuator/prometheus", API_KEY, null).statusCode()).isEqualTo(200);
		assertThat(send("GET", "/actuator/metrics", null, null).statusCode()).isEqualTo(401);
	}

	@Test
	void registryWritesNeedAnAdminKey() throws Exception {
		String outside = "{\"path\": \"/etc/hostname\"}";
		assertThat(send("POST", "/actuator/llcudamodels", null, outside).statusCode()).isEqualTo(401);
		HttpResponse<String> user = send("POST", "/actuator/llcudamodels", API_KEY, outside);
		assertThat(user.statusCode()).isEqualTo(403);
		assertThat(JSON.readTree(user.body()).at("/error/code").asString()).isEqualTo("admin_key_required");
		assertThat(send("POST", "/actuator/llcudamodels/1", API_KEY, "{\"action\": \"activate\"}").statusCode())
			.isEqualTo(403);
		assertThat(send("DELETE", "/actuator/llcudamodels/1", null, null).statusCode()).isEqualTo(401);
		assertThat(send("DELETE", "/actuator/llcudamodels/1", API_KEY, null).statusCode()).isEqualTo(403);

		HttpResponse<String> admin = send("POST", "/actuator/llcudamodels", MicroModelService.ADMIN_KEY, outside);
		assertThat(admin.statusCode()).as("the admin is let through to the registry, which refuses the path")
			.isEqualTo(400);
		assertThat(send("GET", "/actuator/llcudamodels", API_KEY, null).statusCode()).isEqualTo(200);
		assertThat(send("GET", "/actuator/llcudamodels", null, null).statusCode()).isEqualTo(401);
	}

	@Test
	void healthStatusIsPublicAndItsDetailsAreForAdminsOnly() throws Exception {
		for (String key : new String[] { null, API_KEY }) {
			JsonNode health = JSON.readTree(send("GET", "/actuator/health", key, null).body());
			assertThat(health.at("/status").asString()).isNotBlank();
			assertThat(health.has("components")).as("components for " + key).isFalse();
			JsonNode readiness = JSON.readTree(send("GET", "/actuator/health/readiness", key, null).body());
			assertThat(readiness.at("/status").asString()).isEqualTo("OUT_OF_SERVICE");
			assertThat(readiness.has("components")).as("readiness components for " + key).isFalse();
			assertThat(send("GET", "/actuator/health/llcuda", key, null).statusCode()).isEqualTo(404);
		}
		JsonNode admin = JSON.readTree(send("GET", "/actuator/health", MicroModelService.ADMIN_KEY, null).body());
		assertThat(admin.at("/components/llcuda/details/nativeLibrary/sha256").asString()).hasSize(64);
		assertThat(JSON.readTree(send("GET", "/actuator/health/llcuda", MicroModelService.ADMIN_KEY, null).body())
			.at("/details/howToLoad")
			.asString()).isNotBlank();
	}

	@Test
	void corsIsOffByDefault() throws Exception {
		HttpResponse<String> preflight = HTTP.send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
			.method("OPTIONS", HttpRequest.BodyPublishers.noBody())
			.header("Origin", "http://elsewhere.example")
			.header("Access-Control-Request-Method", "POST")
			.header("Access-Control-Request-Headers", "authorization,content-type")
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	private HttpResponse<String> send(String method, String path, @Nullable String key, @Nullable String body)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
			.timeout(Duration.ofSeconds(60))
			.method(method,
					body != null ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		if (key != null) {
			request.header("Authorization", "Bearer " + key);
		}
		return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
