package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

/**
 * {@code GET /api/console/events} over real HTTP: a reading at once and then one a
 * second, the engine's counters moving with a request, streams of clients that left
 * dropped, at most {@code sample.console.max-streams} open.
 */
class ConsoleEventsTests extends MicroModelService {

	@Autowired
	ConsoleEvents events;

	@Autowired
	ConsoleSettings settings;

	@Test
	@Timeout(60)
	void readingsArriveEverySecondAndFollowTheEngine() throws Exception {
		awaitReady();
		try (Events stream = open()) {
			JsonNode first = stream.next();
			assertThat(first.path("status").path("state").asString()).isEqualTo("READY");
			assertThat(first.path("engine").path("model").asString()).isNotEmpty();
			// the first reading comes at once, the next ones with the timer's ticks (one
			// a second)
			JsonNode tick = stream.next();
			JsonNode second = stream.next();
			assertThat(second.path("at").asLong() - tick.path("at").asLong()).isGreaterThanOrEqualTo(500);
			long generated = second.path("engine").path("generatedTokensTotal").asLong();

			HttpResponse<String> answer = send(post("/v1/completions",
					"{\"prompt\":\"Once upon a time\",\"max_tokens\":6,\"temperature\":0}", null));
			assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
			int usage = json(answer).path("usage").path("completion_tokens").asInt();
			assertThat(usage).isPositive();

			// the readings move on with the engine's counters (the test times out if they
			// never do)
			JsonNode later = stream.next();
			while (later.path("engine").path("generatedTokensTotal").asLong() < generated + usage) {
				later = stream.next();
			}
		}
		awaitNoStreams();
	}

	@Test
	@Timeout(60)
	void streamsBeyondTheLimitAreRefusedWith429AndClosedOnesAreDropped() throws Exception {
		awaitReady();
		awaitNoStreams();
		List<Events> open = new ArrayList<>();
		try {
			for (int i = 0; i < this.settings.getMaxStreams(); i++) {
				Events stream = open();
				open.add(stream);
				stream.next();
			}
			assertThat(this.events.openStreams()).isEqualTo(this.settings.getMaxStreams());
			HttpResponse<String> refused = send(get("/api/console/events", null));
			assertThat(refused.statusCode()).isEqualTo(429);
			assertThat(json(refused).path("error").path("message").asString()).contains("sample.console.max-streams");
		}
		finally {
			for (Events stream : open) {
				stream.close();
			}
		}
		awaitNoStreams();
		try (Events again = open()) {
			assertThat(again.next().path("status").path("state").asString()).isEqualTo("READY");
		}
	}

	private Events open() throws Exception {
		HttpRequest request = HttpRequest.newBuilder(uri("/api/console/events"))
			.header("Accept", "text/event-stream")
			.GET()
			.build();
		HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
		return new Events(response.body());
	}

	/**
	 * A client that left is noticed when a reading can no longer be written to it (a tick
	 * or two).
	 */
	private void awaitNoStreams() throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (this.events.openStreams() > 0 && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		assertThat(this.events.openStreams()).isZero();
	}

	/** The data of each event of one open stream. */
	private static final class Events implements AutoCloseable {

		private final InputStream body;

		private final BufferedReader lines;

		Events(InputStream body) {
			this.body = body;
			this.lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
		}

		JsonNode next() throws Exception {
			StringBuilder data = new StringBuilder();
			for (String line = this.lines.readLine(); line != null; line = this.lines.readLine()) {
				if (line.startsWith("data:")) {
					data.append(line.substring(5).strip());
				}
				else if (line.isEmpty() && !data.isEmpty()) {
					return JSON.readTree(data.toString());
				}
			}
			throw new IllegalStateException("the event stream ended");
		}

		@Override
		public void close() throws Exception {
			this.body.close();
		}

	}

}
