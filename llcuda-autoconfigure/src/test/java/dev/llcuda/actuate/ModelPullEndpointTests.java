package dev.llcuda.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import dev.llcuda.actuate.ModelRegistryEndpoint.ErrorDescriptor;
import dev.llcuda.actuate.ModelRegistryEndpoint.ModelsDescriptor;
import dev.llcuda.hub.HubDownloader;
import dev.llcuda.nativelib.Sha256;
import dev.llcuda.registry.GgufModelInspector;
import dev.llcuda.registry.ModelFolders;
import dev.llcuda.registry.ModelPull;
import dev.llcuda.registry.ModelPulls;
import dev.llcuda.registry.ModelRegistry;
import dev.llcuda.registry.RegistryDatabase;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.ModelActivator;
import dev.llcuda.runtime.ModelSet;
import dev.llcuda.runtime.TestServing;

/**
 * {@code POST {"pull": ...}} against a local hub serving a real GGUF file the way
 * huggingface.co does (a redirect carrying X-Linked-Etag and X-Linked-Size): downloaded,
 * registered, listed with its progress, and cancellable while it runs.
 */
class ModelPullEndpointTests {

	@TempDir
	Path temp;

	private Path models;

	private HttpServer hub;

	private byte[] model;

	private final CountDownLatch release = new CountDownLatch(1);

	private final CountDownLatch halfSent = new CountDownLatch(1);

	private ModelPulls pulls;

	private ModelRegistryEndpoint endpoint;

	@BeforeEach
	void start() throws IOException {
		this.model = Files.readAllBytes(TestServing.MICRO_LLAMA);
		String sha256 = Sha256.of(TestServing.MICRO_LLAMA);
		this.hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		this.hub.createContext("/owner/micro-GGUF/resolve/main/", exchange -> redirect(exchange, sha256));
		this.hub.createContext("/storage/micro.gguf", exchange -> serve(exchange, false));
		this.hub.createContext("/storage/stalled.gguf", exchange -> serve(exchange, true));
		this.hub.start();
		this.models = Files.createDirectories(this.temp.resolve("models"));
		ModelRegistry registry = new ModelRegistry(RegistryDatabase.h2File(this.temp.resolve("db/registry")),
				new ModelFolders(List.of(this.models)), new GgufModelInspector(), new NoEngine(), Clock.systemUTC(),
				Duration.ofSeconds(5));
		URI url = URI.create("http://127.0.0.1:" + this.hub.getAddress().getPort());
		this.pulls = new ModelPulls(registry,
				new HubDownloader(url, null, Duration.ZERO, HubDownloader.DEFAULT_READ_TIMEOUT), Clock.systemUTC());
		this.endpoint = new ModelRegistryEndpoint(registry, this.pulls,
				ModelSet.of(new LlcudaRuntime((file, progress) -> {
					throw new IllegalStateException("no engine in this test");
				}, null, null, Duration.ZERO)));
	}

	@AfterEach
	void stop() {
		this.release.countDown();
		this.pulls.close();
		this.hub.stop(0);
	}

	@Test
	void aPulledModelIsDownloadedRegisteredAndListedWithItsProgress() throws Exception {
		WebEndpointResponse<Object> started = this.endpoint.register(null, null, null, "owner/micro-GGUF", "micro.gguf",
				null, null);
		assertThat(started.getStatus()).isEqualTo(202);
		ModelPull.Status done = awaitFinished();
		assertThat(done.state()).isEqualTo(ModelPull.State.DONE);
		assertThat(done.bytes()).isEqualTo(this.model.length);
		assertThat(done.totalBytes()).isEqualTo(this.model.length);
		assertThat(done.percent()).isEqualTo(100.0);
		assertThat(Files.readAllBytes(this.models.resolve("micro.gguf"))).isEqualTo(this.model);
		ModelsDescriptor listing = this.endpoint.models();
		assertThat(listing.models()).singleElement().satisfies(model -> {
			assertThat(model.id()).isEqualTo(done.modelId());
			assertThat(model.sha256()).isEqualTo(Sha256.of(TestServing.MICRO_LLAMA));
			assertThat(model.architecture()).isEqualTo("llama");
		});
		// pulling a file that is there already is refused by name
		WebEndpointResponse<Object> again = this.endpoint.register(null, null, null, "owner/micro-GGUF", "micro.gguf",
				null, null);
		assertThat(again.getStatus()).isEqualTo(409);
		assertThat(((ErrorDescriptor) again.getBody()).error()).contains("micro.gguf already exists");
	}

	@Test
	void aRunningPullCanBeCancelled() throws Exception {
		this.endpoint.register(null, null, null, "owner/micro-GGUF", "stalled.gguf", null, null);
		assertThat(this.halfSent.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.pulls.pulls().get(0).state()).isEqualTo(ModelPull.State.DOWNLOADING);
		assertThat(this.endpoint.register(null, null, "cancel", "owner/micro-GGUF", "stalled.gguf", null, null)
			.getStatus()).isEqualTo(200);
		this.release.countDown();
		ModelPull.Status cancelled = awaitFinished();
		assertThat(cancelled.state()).isEqualTo(ModelPull.State.CANCELLED);
		assertThat(this.models.resolve("stalled.gguf")).doesNotExist();
		assertThat(this.models.resolve("stalled.gguf.part")).doesNotExist();
		assertThat(this.endpoint.register(null, null, "cancel", "owner/micro-GGUF", "stalled.gguf", null, null)
			.getStatus()).isEqualTo(409);
	}

	@Test
	void unsafeNamesAndMissingFilesAreBadRequests() {
		WebEndpointResponse<Object> escape = this.endpoint.register(null, null, null, "owner/micro-GGUF",
				"../../etc/evil.gguf", null, null);
		assertThat(escape.getStatus()).isEqualTo(400);
		assertThat(((ErrorDescriptor) escape.getBody()).error()).contains("is not a GGUF file path");
		assertThat(this.endpoint.register(null, null, null, "owner/micro-GGUF", null, null, null).getStatus())
			.isEqualTo(400);
	}

	private ModelPull.Status awaitFinished() throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
		while (!this.pulls.pulls().get(0).state().finished() && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		return this.pulls.pulls().get(0);
	}

	private static void redirect(HttpExchange exchange, String sha256) throws IOException {
		String file = exchange.getRequestURI().getPath().replaceFirst(".*/", "");
		exchange.getResponseHeaders().add("X-Linked-Etag", "\"" + sha256 + "\"");
		exchange.getResponseHeaders().add("Location", "/storage/" + file);
		exchange.sendResponseHeaders(302, -1);
		exchange.close();
	}

	/**
	 * The model's bytes; a stalled one sends half and waits until the test releases it.
	 */
	private void serve(HttpExchange exchange, boolean stall) throws IOException {
		try (OutputStream body = exchange.getResponseBody()) {
			exchange.sendResponseHeaders(200, this.model.length);
			int half = this.model.length / 2;
			body.write(this.model, 0, half);
			body.flush();
			if (stall) {
				this.halfSent.countDown();
				this.release.await(20, TimeUnit.SECONDS);
			}
			body.write(this.model, half, this.model.length - half);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		catch (IOException e) {
			// the client went away (cancelled)
		}
		finally {
			exchange.close();
		}
	}

	private static final class NoEngine implements ModelActivator {

		@Override
		public void activate(Path file) {
			throw new IllegalStateException("no engine in this test");
		}

		@Override
		public void unload() {
		}

		@Override
		public Optional<Path> servedFile() {
			return Optional.empty();
		}

		@Override
		public Optional<String> servedFileChange() {
			return Optional.empty();
		}

	}

}
