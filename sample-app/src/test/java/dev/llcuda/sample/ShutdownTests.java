package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.RuntimeState;

/**
 * A stop with streams in flight over HTTP: the service drains for the shutdown timeout,
 * then ends the streams still running with an error event; every stream ends with [DONE],
 * and the stop takes at most the timeout and 5 s.
 */
class ShutdownTests {

	private static final Duration SHUTDOWN_TIMEOUT = Duration.ofMillis(300);

	private static final int STREAMS = 6;

	@TempDir
	Path temp;

	@Test
	void aStopWithStreamsInFlightEndsEveryStreamWithDoneWithinTheTimeoutAndFiveSeconds() throws Exception {
		ConfigurableApplicationContext context = SpringApplication.run(SampleApplication.class, "--server.port=0",
				"--llcuda.model.path=" + SampleApplicationTests.MODEL,
				"--llcuda.registry.model-folders=" + SampleApplicationTests.MODELS,
				"--llcuda.registry.database-file=" + this.temp.resolve("registry"),
				"--llcuda.registry.scan-on-startup=false", "--llcuda.gpu.enabled=false",
				"--llcuda.engine.cpu-threads=2", "--llcuda.engine.max-running-sequences=1",
				"--llcuda.engine.shutdown-timeout=" + SHUTDOWN_TIMEOUT.toMillis() + "ms",
				"--llcuda.native.cache-dir=" + SampleApplicationTests.NATIVE_CACHE);
		try {
			LlcudaRuntime runtime = context.getBean(LlcudaRuntime.class);
			long ready = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			while (runtime.state() == RuntimeState.LOADING && System.nanoTime() < ready) {
				Thread.sleep(20);
			}
			assertThat(runtime.state()).isEqualTo(RuntimeState.READY);
			assertThat(context.getEnvironment().getProperty("spring.lifecycle.timeout-per-shutdown-phase"))
				.as("the web server's grace period follows the shutdown timeout")
				.isEqualTo("300ms");
			int port = ((WebServerApplicationContext) context).getWebServer().getPort();
			HttpClient http = HttpClient.newHttpClient();
			List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
			for (int i = 0; i < STREAMS; i++) {
				streams.add(http
					.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
						.header("Content-Type", "application/json")
						.POST(HttpRequest.BodyPublishers.ofString(
								"{\"prompt\": \"Once upon a time\", \"max_tokens\": 480, \"stream\": true, \"seed\": "
										+ i + "}"))
						.build(), HttpResponse.BodyHandlers.ofString()));
			}
			InFlightRequests inFlight = context.getBean(InFlightRequests.class);
			long started = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (inFlight.size() < STREAMS && System.nanoTime() < started) {
				Thread.sleep(5);
			}
			assertThat(inFlight.size()).isEqualTo(STREAMS);

			long stop = System.nanoTime();
			context.close();
			Duration took = Duration.ofNanos(System.nanoTime() - stop);
			assertThat(took).isLessThan(SHUTDOWN_TIMEOUT.plusSeconds(5));

			int endedByTheDrain = 0;
			for (CompletableFuture<HttpResponse<String>> stream : streams) {
				HttpResponse<String> response = stream.get(10, TimeUnit.SECONDS);
				assertThat(response.statusCode()).isEqualTo(200);
				List<String> data = response.body()
					.lines()
					.filter(line -> line.startsWith("data:"))
					.map(line -> line.substring(5))
					.toList();
				assertThat(data).as(response.body()).isNotEmpty().last().isEqualTo("[DONE]");
				if (data.size() > 1 && data.get(data.size() - 2).contains("\"shutting_down\"")) {
					endedByTheDrain++;
				}
			}
			assertThat(endedByTheDrain).as("streams the drain ended").isPositive();
			assertThat(runtime.state()).isEqualTo(RuntimeState.STOPPED);
		}
		finally {
			context.close();
		}
	}

}
