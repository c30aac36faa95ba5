package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.RuntimeState;

/**
 * The service on the shared micro-llama model over real HTTP on the loopback, on the CPU,
 * with an admin key and no API keys (so the API is open and only admin operations need
 * the key), and small engine limits (2 running, 4 queued: {@link #CAPACITY} requests in
 * flight). Test classes extending it share one application context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class MicroModelService {

	static final String ADMIN_KEY = "admin-key-of-the-tests-0123456789";

	static final int RUNNING = 2;

	static final int QUEUED = 4;

	/** Requests the bulkhead admits at once: running plus queued. */
	static final int CAPACITY = RUNNING + QUEUED;

	static final JsonMapper JSON = JsonMapper.builder().build();

	static final HttpClient HTTP = HttpClient.newHttpClient();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("llcuda.model.path", SampleApplicationTests.MODEL::toString);
		registry.add("llcuda.native.cache-dir", SampleApplicationTests.NATIVE_CACHE::toString);
		registry.add("llcuda.gpu.enabled", () -> "false");
		registry.add("llcuda.engine.cpu-threads", () -> "2");
		registry.add("llcuda.engine.max-running-sequences", () -> Integer.toString(RUNNING));
		registry.add("llcuda.engine.max-queued", () -> Integer.toString(QUEUED));
		registry.add("llcuda.registry.model-folders", SampleApplicationTests.MODELS::toString);
		registry.add("llcuda.registry.scan-on-startup", () -> "false");
		registry.add("llcuda.registry.database-file",
				() -> Path.of("target", "registry-test").toAbsolutePath().toString());
		registry.add("llcuda.security.admin-keys", () -> ADMIN_KEY);
		// the micro model generates its whole context within a second
		registry.add("llcuda.service.client-probe-period", () -> "20ms");
	}

	@LocalServerPort
	int port;

	@Autowired
	LlcudaRuntime runtime;

	void awaitReady() throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (this.runtime.state() == RuntimeState.LOADING && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(this.runtime.state()).as(this.runtime.failure().orElse("")).isEqualTo(RuntimeState.READY);
	}

	URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	/**
	 * A POST of a JSON body (sent as is, so it may be anything), with {@code key} as
	 * bearer token when set.
	 */
	HttpRequest post(String path, String body, @Nullable String key) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
			.timeout(Duration.ofSeconds(60))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body));
		return (key != null ? request.header("Authorization", "Bearer " + key) : request).build();
	}

	HttpRequest get(String path, @Nullable String key) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).GET();
		return (key != null ? request.header("Authorization", "Bearer " + key) : request).build();
	}

	static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
		return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
	}

	static JsonNode json(HttpResponse<String> response) {
		return JSON.readTree(response.body());
	}

}
