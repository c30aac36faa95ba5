package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import dev.llcuda.chat.Resilience4jRequestGuard;
import dev.llcuda.engine.EngineStats;

/**
 * Ten times the admission capacity at once over the loopback, half streaming, a fifth of
 * them dropped by their client: only 200 and 429, every request answered within the time
 * limit, every stream ended with [DONE], and no KV block held afterwards; a dropped
 * stream stops generating.
 */
class LoadTests extends MicroModelService {

	private static final int REQUESTS = 10 * CAPACITY;

	@Autowired
	MeterRegistry meters;

	@Autowired
	BulkheadRegistry bulkheads;

	private static final Duration LIMIT = Duration.ofSeconds(90);

	/**
	 * What one request saw: its status, and for a stream read to its end whether it ended
	 * with [DONE].
	 */
	private record Outcome(int status, boolean streamed, boolean dropped, boolean endedWithDone) {
	}

	@Test
	void tenTimesTheCapacityGetsOnly200Or429AndDroppedClientsLeakNoKvBlocks() throws Exception {
		awaitReady();
		List<Future<Outcome>> futures = new ArrayList<>();
		ExecutorService clients = Executors.newFixedThreadPool(REQUESTS);
		// One stream read to its end is admitted before the crowd arrives, so the [DONE]
		// check below
		// never depends on which requests the bulkhead happens to admit.
		CountDownLatch firstStreamStarted = new CountDownLatch(1);
		try {
			for (int i = 0; i < REQUESTS; i++) {
				boolean streamed = i % 2 == 0;
				boolean dropped = i % 5 == 0;
				String body = "{\"prompt\": \"Once upon a time " + i + "\", \"max_tokens\": 24, \"seed\": " + i
						+ ", \"stream\": " + streamed + "}";
				CountDownLatch started = i == 2 ? firstStreamStarted : new CountDownLatch(1);
				futures.add(clients.submit(() -> request(body, streamed, dropped, started)));
				if (i == 2) {
					firstStreamStarted.await(30, TimeUnit.SECONDS);
				}
			}
			List<Outcome> outcomes = new ArrayList<>();
			long deadline = System.nanoTime() + LIMIT.toNanos();
			for (Future<Outcome> future : futures) {
				outcomes.add(future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
			}
			assertThat(outcomes).extracting(Outcome::status).containsOnly(200, 429).contains(200, 429);
			assertThat(outcomes).filteredOn(o -> o.status() == 200 && o.streamed() && !o.dropped())
				.isNotEmpty()
				.allMatch(Outcome::endedWithDone);
		}
		finally {
			clients.shutdownNow();
		}
		EngineStats stats = awaitIdle();
		assertThat(stats.kvBlocksUsed()).as("KV blocks held after the load").isZero();
		assertThat(stats.running()).isZero();
		assertThat(stats.queued()).isZero();
	}

	@Test
	void aClientThatDropsItsStreamCancelsItsGeneration() throws Exception {
		awaitReady();
		double cancelled = cancelledRequests();
		HttpResponse<InputStream> response = HTTP.send(post("/v1/completions",
				"{\"prompt\": \"Once upon a time\", \"max_tokens\": 400, \"stream\": true}", null),
				HttpResponse.BodyHandlers.ofInputStream());
		try (InputStream in = response.body()) {
			BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
			for (int events = 0; events < 2;) {
				events += lines.readLine().startsWith("data:") ? 1 : 0;
			}
		}
		EngineStats stats = awaitIdle();
		assertThat(stats.kvBlocksUsed()).isZero();
		assertThat(cancelledRequests()).as("requests the engine finished as CANCELLED").isEqualTo(cancelled + 1);
	}

	@Test
	void aClientThatDropsItsNonStreamingChatCancelsEveryChoiceAndLeaksNoPermit() throws Exception {
		assertDroppedClientCancels("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": "
				+ "\"Once upon a time\"}], \"max_tokens\": 400, \"n\": 2, \"seed\": 3}", 2);
	}

	/**
	 * Sends {@code body} on a raw socket and closes the socket while its {@code choices}
	 * generate: each is cancelled (KV blocks and bulkhead permits back, in a fraction of
	 * the time the whole answer takes), and a following burst is admitted.
	 */
	private void assertDroppedClientCancels(String path, String body, int choices) throws Exception {
		awaitReady();
		long wholeStart = System.nanoTime();
		HttpResponse<String> whole = send(post(path, body, null));
		Duration wholeTook = Duration.ofNanos(System.nanoTime() - wholeStart);
		assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
		assertThat(json(whole).get("choices").findValuesAsString("finish_reason"))
			.as("the whole answer fills max_tokens")
			.containsOnly("length");
		double cancelled = cancelledRequests();
		byte[] content = body.getBytes(StandardCharsets.UTF_8);
		long dropped;
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			OutputStream out = socket.getOutputStream();
			out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
					+ "Content-Length: " + content.length + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.write(content);
			out.flush();
			long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
			while (this.runtime.requireServing().engine().stats().running() < choices && System.nanoTime() < deadline) {
				Thread.onSpinWait();
			}
			assertThat(this.runtime.requireServing().engine().stats().running()).as("generating when the client leaves")
				.isEqualTo(choices);
			dropped = System.nanoTime();
		}
		EngineStats stats = awaitIdle();
		Duration noticed = Duration.ofNanos(System.nanoTime() - dropped);
		System.out.printf("dropped %s: the whole answer took %d ms, the drop was noticed after %d ms%n", path,
				wholeTook.toMillis(), noticed.toMillis());
		assertThat(stats.running()).isZero();
		assertThat(stats.kvBlocksUsed()).isZero();
		assertThat(cancelledRequests()).as("requests the engine finished as CANCELLED").isEqualTo(cancelled + choices);
		assertThat(noticed).as("from the drop to the cancellation").isLessThan(wholeTook.dividedBy(2));
		Bulkhead bulkhead = this.bulkheads.bulkhead(Resilience4jRequestGuard.INSTANCE);
		long permits = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (bulkhead.getMetrics().getAvailableConcurrentCalls() < CAPACITY && System.nanoTime() < permits) {
			Thread.sleep(5);
		}
		assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).as("bulkhead permits free").isEqualTo(CAPACITY);
		// as many at once as the engine's queue holds even before its scheduler takes any
		// (a burst of the
		// whole CAPACITY may legitimately meet a full queue while the first two wait to
		// be scheduled)
		List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
		for (int i = 0; i < QUEUED; i++) {
			burst.add(HTTP.sendAsync(post("/v1/completions", "{\"prompt\": \"Hello\", \"max_tokens\": 4}", null),
					HttpResponse.BodyHandlers.ofString()));
		}
		for (CompletableFuture<HttpResponse<String>> answer : burst) {
			HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
			assertThat(response.statusCode()).as("a burst after the drop: " + response.body()).isEqualTo(200);
		}
	}

	private double cancelledRequests() {
		Counter counter = this.meters.find("llcuda.requests").tag("finish.reason", "CANCELLED").counter();
		return counter != null ? counter.count() : 0;
	}

	/**
	 * {@code started} counts down once the answer's status is known (for a stream: at its
	 * first event).
	 */
	private Outcome request(String body, boolean streamed, boolean dropped, CountDownLatch started) throws Exception {
		HttpResponse<InputStream> response = HTTP.send(post("/v1/completions", body, null),
				HttpResponse.BodyHandlers.ofInputStream());
		try (InputStream in = response.body()) {
			if (response.statusCode() != 200 || !streamed) {
				started.countDown();
				if (!dropped) {
					in.readAllBytes();
				}
				return new Outcome(response.statusCode(), streamed, dropped, false);
			}
			BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
			String last = null;
			for (String line = lines.readLine(); line != null; line = lines.readLine()) {
				if (line.startsWith("data:")) {
					started.countDown();
					last = line.substring(5);
					if (dropped) {
						// closing the body now drops the connection mid-stream
						return new Outcome(200, true, true, false);
					}
				}
			}
			return new Outcome(200, true, false, "[DONE]".equals(last));
		}
	}

	/**
	 * The engine's counters once nothing runs or waits (dropped streams are cancelled at
	 * their next token).
	 */
	private EngineStats awaitIdle() throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		EngineStats stats = this.runtime.requireServing().engine().stats();
		while ((stats.kvBlocksUsed() > 0 || stats.running() > 0 || stats.queued() > 0)
				&& System.nanoTime() < deadline) {
			Thread.sleep(20);
			stats = this.runtime.requireServing().engine().stats();
		}
		return stats;
	}

}
