package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.llcuda.chat.LlcudaChatOptions;
import dev.llcuda.engine.AdapterUse;
import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufWriter;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.RuntimeState;

/**
 * One chat model serving two LoRA adapters ({@code llcuda.model.lora.*}, written here in
 * llama.cpp's adapter layout) and the base model: requests through {@code ChatClient}
 * options run concurrently in one batch and each gives the text
 * {@code llcuda generate --lora} gives for the same prompt and seed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AdapterServiceTests {

	private static final Path MODEL = SampleApplicationTests.MODEL;

	private static final Path ADAPTERS = Path.of("target", "adapter-service-tests").toAbsolutePath();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		write(ADAPTERS.resolve("first.gguf"), 1);
		write(ADAPTERS.resolve("second.gguf"), 2);
		registry.add("llcuda.model.path", MODEL::toString);
		registry.add("llcuda.model.lora.first.path", () -> ADAPTERS.resolve("first.gguf").toString());
		registry.add("llcuda.model.lora.second.path", () -> ADAPTERS.resolve("second.gguf").toString());
		registry.add("llcuda.model.lora.second.scale", () -> "0.5");
		registry.add("llcuda.native.cache-dir", SampleApplicationTests.NATIVE_CACHE::toString);
		registry.add("llcuda.gpu.enabled", () -> "false");
		registry.add("llcuda.engine.cpu-threads", () -> "2");
		registry.add("llcuda.registry.model-folders", SampleApplicationTests.MODELS::toString);
		registry.add("llcuda.registry.scan-on-startup", () -> "false");
		registry.add("llcuda.registry.database-file",
				() -> Path.of("target", "registry-adapter-tests").toAbsolutePath().toString());
	}

	/**
	 * A rank-8 F32 adapter of every attention and FFN projection of the micro model (also
	 * the console's).
	 */
	static void write(Path path, long seed) {
		Random random = new Random(seed);
		GgufWriter writer = new GgufWriter().putString("general.architecture", "llama")
			.putString("general.type", "adapter")
			.putString("adapter.type", "lora")
			.putFloat32("adapter.lora.alpha", 16f);
		try (GgufFile model = GgufFile.open(MODEL)) {
			for (TensorInfo w : model.tensors()) {
				if (w.name().startsWith("blk.") && w.rank() == 2) {
					writer.addTensor(w.name() + ".lora_a", GgmlType.F32, new long[] { w.dim(0), 8 },
							floats(random, w.dim(0) * 8, 1 / Math.sqrt(w.dim(0))));
					writer.addTensor(w.name() + ".lora_b", GgmlType.F32, new long[] { 8, w.dim(1) },
							floats(random, 8 * w.dim(1), 0.1));
				}
			}
			Files.createDirectories(path.getParent());
			writer.write(path);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static byte[] floats(Random random, long count, double sigma) {
		ByteBuffer bytes = ByteBuffer.allocate((int) count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
		for (long i = 0; i < count; i++) {
			bytes.putFloat((float) (random.nextGaussian() * sigma));
		}
		return bytes.array();
	}

	@Autowired
	ChatClient chatClient;

	@Autowired
	LlcudaRuntime runtime;

	private String ask(@Nullable String adapter) {
		return this.chatClient.prompt()
			.user("Hello")
			.options(LlcudaChatOptions.builder().maxTokens(12).seed(42L).adapter(adapter))
			.call()
			.content();
	}

	private static String cli(String... lora) throws Exception {
		return CliGenerate.run(MODEL, "[INST] Hello [/INST]", 12, 42, SampleApplicationTests.NATIVE_CACHE, lora).text();
	}

	@Test
	void oneChatModelServesTwoAdaptersAndTheBaseConcurrentlyAsTheCliRunsEach() throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (this.runtime.state() == RuntimeState.LOADING && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(this.runtime.state()).as(this.runtime.failure().orElse("")).isEqualTo(RuntimeState.READY);
		List<String> expected = List.of(cli(), cli("--lora", ADAPTERS.resolve("first.gguf").toString()),
				cli("--lora", ADAPTERS.resolve("second.gguf").toString(), "--lora-scale", "0.5"));
		List<@Nullable String> adapters = new ArrayList<>();
		adapters.add(null);
		adapters.add("first");
		adapters.add("second");
		List<CompletableFuture<String>> answers = new ArrayList<>();
		for (int round = 0; round < 2; round++) {
			for (String adapter : adapters) {
				answers.add(CompletableFuture.supplyAsync(() -> ask(adapter)));
			}
		}
		for (int i = 0; i < answers.size(); i++) {
			assertThat(answers.get(i).get()).as("request " + i).isEqualTo(expected.get(i % 3));
		}
		assertThat(expected.get(1)).isNotEqualTo(expected.get(0));
		assertThat(expected.get(2)).isNotEqualTo(expected.get(1));
	}

	@LocalServerPort
	int port;

	private HttpResponse<String> chat(String body) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/v1/chat/completions"))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build(), HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void stackedAdaptersThroughOptionsAndOpenAiLoraGiveWhatTheCliGivesWithRepeatedLora() throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (this.runtime.state() == RuntimeState.LOADING && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		// "second" is loaded at scale 0.5: factor 1 here is --lora-scale 0.5 there,
		// factor 2 is 1.
		String expected = cli("--lora", ADAPTERS.resolve("first.gguf").toString(), "--lora",
				ADAPTERS.resolve("second.gguf").toString(), "--lora-scale", "1", "--lora-scale", "1");
		String stacked = this.chatClient.prompt()
			.user("Hello")
			.options(LlcudaChatOptions.builder()
				.maxTokens(12)
				.seed(42L)
				.adapters(List.of(new AdapterUse("first", 1f), new AdapterUse("second", 2f))))
			.call()
			.content();
		assertThat(stacked).isEqualTo(expected);
		assertThat(expected).isNotEqualTo(cli("--lora", ADAPTERS.resolve("first.gguf").toString()));
		HttpResponse<String> http = chat(
				"{\"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}], \"max_tokens\": 12,"
						+ " \"seed\": 42, \"lora\": [{\"name\": \"first\"}, {\"name\": \"second\", \"scale\": 2}]}");
		assertThat(http.statusCode()).as(http.body()).isEqualTo(200);
		assertThat(JsonMapper.builder().build().readTree(http.body()).at("/choices/0/message/content").asString())
			.isEqualTo(expected);
		HttpResponse<String> unknown = chat("{\"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}],"
				+ " \"lora\": [{\"name\": \"first\"}, {\"name\": \"third\"}]}");
		assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(400);
		assertThat(unknown.body()).contains("'third'");
		HttpResponse<String> nameless = chat(
				"{\"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]," + " \"lora\": [{\"scale\": 0.5}]}");
		assertThat(nameless.statusCode()).as(nameless.body()).isEqualTo(400);
		assertThat(nameless.body()).contains("lora[0].name");
	}

}
