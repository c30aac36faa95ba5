package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import dev.llcuda.chat.LlcudaChatModel;
import dev.llcuda.chat.LlcudaChatOptions;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.RuntimeState;
import dev.llcuda.tokenizer.Tokenizer;

/** The demo profile of {@code bin/serve}, and a shutdown while a stream runs. */
class DemoProfileTests {

	@TempDir
	Path temp;

	@Test
	void theDemoModelIsAValidLlamaModelWithATokenizerThatRoundTrips() throws Exception {
		Path file = this.temp.resolve("demo.gguf");
		DemoModel.write(file);
		try (GgufFile gguf = GgufFile.open(file)) {
			ModelSpec spec = ModelSpec.from(gguf);
			assertThat(spec.layers()).isEqualTo(DemoModel.LAYERS);
			assertThat(spec.embeddingSize()).isEqualTo(DemoModel.EMBEDDING);
			Tokenizer tokenizer = Tokenizer.fromGguf(gguf.metadata());
			int[] ids = tokenizer.encode("hello world, the model", true, false);
			assertThat(ids[0]).isEqualTo(DemoVocabulary.BOS_ID);
			// whole words are single pieces
			assertThat(tokenizer.tokenText(ids[1])).isEqualTo("\u2581hello");
			assertThat(tokenizer.decode(ids)).isEqualTo("hello world, the model");
			assertThat(tokenizer.decode(tokenizer.encode("x€y", false, false))).isEqualTo("x€y");
		}
	}

	@Test
	void theDemoServesAndSaysItsTextIsMeaninglessAndAStopDuringAStreamEndsItCleanly() throws Exception {
		Path file = this.temp.resolve("demo").resolve("llcuda-demo.gguf");
		Path embeddingFile = file.resolveSibling("llcuda-demo-embedding.gguf");
		Path documents = file.resolveSibling("documents");
		ConfigurableApplicationContext context = SpringApplication.run(SampleApplication.class,
				"--spring.profiles.active=demo", "--server.port=0", "--sample.demo.file=" + file,
				"--sample.demo.embedding-file=" + embeddingFile, "--sample.demo.documents=" + documents,
				"--llcuda.embedding.path=" + embeddingFile, "--llcuda.embedding.cpu-threads=2",
				"--sample.rag.documents=" + documents, "--llcuda.model.path=" + file,
				"--llcuda.registry.model-folders=" + file.getParent(),
				"--llcuda.registry.database-file=" + this.temp.resolve("registry"), "--llcuda.gpu.enabled=false",
				"--llcuda.engine.cpu-threads=2", "--llcuda.engine.shutdown-timeout=200ms",
				"--spring.lifecycle.timeout-per-shutdown-phase=1s",
				"--llcuda.native.cache-dir=" + SampleApplicationTests.NATIVE_CACHE);
		List<ChatResponse> received = new CopyOnWriteArrayList<>();
		try {
			assertThat(file).exists();
			LlcudaRuntime runtime = context.getBean(LlcudaRuntime.class);
			long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			while (runtime.state() == RuntimeState.LOADING && System.nanoTime() < deadline) {
				Thread.sleep(20);
			}
			assertThat(runtime.state()).isEqualTo(RuntimeState.READY);
			ServiceStatus.View view = context.getBean(ServiceStatus.class).view();
			assertThat(view.model()).isEqualTo("llcuda-demo (random weights)");
			assertThat(view.demoWarning()).contains("random weights, so its text is meaningless");
			assertEmbeddingsAndRagAnswer(context.getEnvironment().getProperty("local.server.port"));

			LlcudaChatModel chatModel = context.getBean(LlcudaChatModel.class);
			Flux<ChatResponse> stream = chatModel
				.stream(new Prompt("Tell me everything", LlcudaChatOptions.builder().maxTokens(400).seed(1L).build()));
			Thread stopper = new Thread(context::close);
			List<ChatResponse> all = stream.doOnNext(response -> {
				received.add(response);
				if (received.size() == 3) {
					stopper.start();
				}
			}).collectList().block(Duration.ofSeconds(60));
			stopper.join(30_000);
			ChatResponse last = all.get(all.size() - 1);
			assertThat(last.getResult().getMetadata().getFinishReason()).isIn("CANCELLED", "LENGTH", "STOP");
			assertThat(last.getMetadata().getUsage().getCompletionTokens()).isPositive();
			assertThat(runtime.state()).isEqualTo(RuntimeState.STOPPED);
		}
		finally {
			context.close();
		}
		assertThat(Files.size(file)).isPositive();
	}

	/**
	 * The demo embedding model and documents serve {@code /v1/embeddings} and
	 * {@code POST /api/rag}.
	 */
	private static void assertEmbeddingsAndRagAnswer(String port) throws Exception {
		JsonMapper json = JsonMapper.builder().build();
		HttpResponse<String> embeddings = post(port, "/v1/embeddings", "{\"input\": [\"hello world\", \"the GPU\"]}");
		assertThat(embeddings.statusCode()).as(embeddings.body()).isEqualTo(200);
		JsonNode data = json.readTree(embeddings.body()).at("/data");
		assertThat(data.size()).isEqualTo(2);
		assertThat(data.at("/0/embedding").size()).isEqualTo(DemoEmbeddingModel.EMBEDDING);

		HttpResponse<String> rag = post(port, "/api/rag",
				"{\"question\": \"What runs the model?\", \"max_tokens\": 4}");
		assertThat(rag.statusCode()).as(rag.body()).isEqualTo(200);
		JsonNode retrieved = json.readTree(rag.body()).at("/documents");
		assertThat(retrieved.size()).isEqualTo(2);
		assertThat(retrieved.at("/0/source").asString()).isIn("llcuda.txt", "demo.txt");
		assertThat(retrieved.at("/0/text").asString()).isNotBlank();
	}

	private static HttpResponse<String> post(String port, String path, String body) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build(), HttpResponse.BodyHandlers.ofString());
	}

}
