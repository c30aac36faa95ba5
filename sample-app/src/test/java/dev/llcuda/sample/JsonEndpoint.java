package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import tools.jackson.databind.json.JsonMapper;

/** One JSON endpoint of the service under test, called over real HTTP. */
final class JsonEndpoint {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private final URI uri;

	JsonEndpoint(int port, String path) {
		this.uri = URI.create("http://localhost:" + port + path);
	}

	HttpResponse<String> post(String json) throws IOException, InterruptedException {
		return HTTP.send(HttpRequest.newBuilder(this.uri)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * Posts {@code request} and expects a 400 whose error message contains
	 * {@code message}.
	 */
	void assertRefused(String request, String message) throws IOException, InterruptedException {
		HttpResponse<String> response = post(request);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		assertThat(JSON.readTree(response.body()).at("/error/message").asString()).contains(message);
	}

}
