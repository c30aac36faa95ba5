package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service under test called over real HTTP with the admin key
 * ({@link MicroModelService#ADMIN_KEY}): registry writes, reads and chats.
 */
final class AdminHttp {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private final int port;

	AdminHttp(int port) {
		this.port = port;
	}

	HttpResponse<String> get(String path) throws Exception {
		return HTTP.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	HttpResponse<String> post(String path, String json) throws Exception {
		return HTTP.send(request(path).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** Posts {@code json} and expects a 200, whose body it reads. */
	JsonNode postOk(String path, String json) throws Exception {
		HttpResponse<String> response = post(path, json);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return JSON.readTree(response.body());
	}

	static JsonNode json(HttpResponse<String> response) {
		return JSON.readTree(response.body());
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(120))
			.header("Authorization", "Bearer " + MicroModelService.ADMIN_KEY);
	}

}
