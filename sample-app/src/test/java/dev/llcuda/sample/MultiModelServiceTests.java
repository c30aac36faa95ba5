package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.llcuda.actuate.LlcudaHealthIndicator;
import dev.llcuda.chat.LlcudaChatOptions;
import dev.llcuda.runtime.ChatSlot;
import dev.llcuda.runtime.ModelSet;
import dev.llcuda.runtime.RuntimeState;

/**
 * Several models served together over real HTTP on the CPU through {@code llcuda.models}:
 * two chat models (micro-llama, micro-qwen2), each with its own KV budget, and the
 * bert-micro embedding model.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MultiModelServiceTests {

	private static final String ADMIN_KEY = "admin-key-of-the-multi-model-tests-0123";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private static final Path QWEN = SampleApplicationTests.MODELS.resolve("micro-qwen2-Q8_0.gguf");

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws Exception {
		Path bert = EmbeddingsEndpointTests.bertMicro();
		registry.add("llcuda.native.cache-dir", SampleApplicationTests.NATIVE_CACHE::toString);
		registry.add("llcuda.gpu.enabled", () -> "false");
		registry.add("llcuda.engine.cpu-threads", () -> "2");
		registry.add("llcuda.models.llama.path", SampleApplicationTests.MODEL::toString);
		registry.add("llcuda.models.llama.max-running-sequences", () -> "3");
		registry.add("llcuda.models.llama.kv-blocks", () -> "40");
		registry.add("llcuda.models.qwen.path", QWEN::toString);
		registry.add("llcuda.models.qwen.kv-blocks", () -> "24");
		registry.add("llcuda.models.bert.path", bert::toString);
		registry.add("llcuda.models.bert.cpu-threads", () -> "2");
		registry.add("llcuda.registry.model-folders", SampleApplicationTests.MODELS::toString);
		registry.add("llcuda.registry.scan-on-startup", () -> "false");
		// a registry of its own per run: a model activated by name in an earlier run
		// would
		// load in place of the configured file
		registry.add("llcuda.registry.database-file",
				() -> Path.of("target", "registry-multi-model-" + ProcessHandle.current().pid())
					.toAbsolutePath()
					.toString());
		registry.add("llcuda.security.admin-keys", () -> ADMIN_KEY);
	}

	@LocalServerPort
	int port;

	@Autowired
	ModelSet models;

	@Autowired
	ChatModel chatModel;

	@Autowired
	EmbeddingModel embeddingModel;

	@Autowired
	LlcudaHealthIndicator health;

	@BeforeEach
	void awaitReady() throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		for (ChatSlot slot : this.models.chats()) {
			while (slot.runtime().state() == RuntimeState.LOADING && System.nanoTime() < deadline) {
				Thread.sleep(20);
			}
			assertThat(slot.runtime().state()).as(slot.runtime().failure().orElse("")).isEqualTo(RuntimeState.READY);
		}
	}

	@Test
	void eachModelAnswersThroughItsNameAndTheFirstChatModelIsTheDefault() throws Exception {
		assertThat(chat("llama").at("/model").asString()).isEqualTo("llama");
		assertThat(chat("qwen").at("/model").asString()).isEqualTo("qwen");
		assertThat(chat(null).at("/model").asString()).isEqualTo("llama");
		HttpResponse<String> completion = send(
				post("/v1/completions", "{\"model\": \"qwen\", \"prompt\": \"Hello\", \"max_tokens\": 2}", null));
		assertThat(completion.statusCode()).as(completion.body()).isEqualTo(200);
		assertThat(json(completion).at("/model").asString()).isEqualTo("qwen");

		JsonNode embedded = embed("bert");
		assertThat(embedded.at("/model").asString()).isEqualTo("bert");
		assertThat(embedded.at("/data/0/embedding").size()).isEqualTo(256);
		assertThat(embed(null).at("/model").asString()).isEqualTo("bert");
	}

	@Test
	void modelsListsEveryModelServed() throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/v1/models")).GET().build());
		List<String> ids = json(response).at("/data").valueStream().map(model -> model.at("/id").asString()).toList();
		assertThat(ids).startsWith("llama", "qwen", "bert");
	}

	@Test
	void anUnknownModelIs404AndAModelOfTheOtherKindIs400() throws Exception {
		HttpResponse<String> unknown = send(post("/v1/chat/completions", chatBody("gpt-4o"), null));
		assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
		assertThat(json(unknown).at("/error/code").asString()).isEqualTo("model_not_found");
		assertThat(json(unknown).at("/error/message").asString()).contains("'llama', 'qwen', 'bert'");
		HttpResponse<String> unknownEmbedding = send(
				post("/v1/embeddings", "{\"model\": \"text-embedding-3-small\", \"input\": \"x\"}", null));
		assertThat(unknownEmbedding.statusCode()).as(unknownEmbedding.body()).isEqualTo(404);

		HttpResponse<String> embeddingChats = send(post("/v1/chat/completions", chatBody("bert"), null));
		assertThat(embeddingChats.statusCode()).as(embeddingChats.body()).isEqualTo(400);
		assertThat(json(embeddingChats).at("/error/message").asString()).contains("'bert' is an embedding model");
		HttpResponse<String> chatEmbeds = send(post("/v1/embeddings", "{\"model\": \"qwen\", \"input\": \"x\"}", null));
		assertThat(chatEmbeds.statusCode()).as(chatEmbeds.body()).isEqualTo(400);
		assertThat(json(chatEmbeds).at("/error/message").asString()).contains("'qwen' is a chat model");
	}

	@Test
	void eachChatModelHasItsOwnKvBudgetAndHealthReportsEveryModel() {
		assertThat(this.models.chat("llama").runtime().requireServing().kvBlocks()).isEqualTo(40);
		assertThat(this.models.chat("qwen").runtime().requireServing().kvBlocks()).isEqualTo(24);
		@SuppressWarnings("unchecked")
		Map<String, Map<String, Object>> reported = (Map<String, Map<String, Object>>) this.health.health(true)
			.getDetails()
			.get("models");
		assertThat(reported).containsOnlyKeys("llama", "qwen", "bert");
		assertThat(reported.get("qwen")).containsEntry("kind", "chat")
			.containsEntry("state", "READY")
			.containsEntry("path", QWEN.toString());
		assertThat(reported.get("qwen").get("engine")).asString().contains("kvBlocksTotal=24");
		assertThat(reported.get("bert")).containsEntry("kind", "embedding").containsEntry("dimensions", 256);
	}

	@Test
	void metricsReportEachChatModel() throws Exception {
		HttpResponse<String> scrape = send(HttpRequest.newBuilder(uri("/actuator/prometheus")).GET().build());
		assertThat(scrape.statusCode()).isEqualTo(200);
		for (String model : List.of("llama", "qwen")) {
			assertThat(scrape.body()).contains("llcuda_model_sequences_running_sequences{model=\"" + model + "\"}",
					"llcuda_model_requests_queued_requests{model=\"" + model + "\"}",
					"llcuda_model_kv_cache_usage_ratio{model=\"" + model + "\"}");
		}
	}

	@Test
	void springAiOptionsPickTheModel() {
		ChatClient client = ChatClient.create(this.chatModel);
		for (String name : List.of("llama", "qwen")) {
			assertThat(client.prompt()
				.user("Hello")
				.options(LlcudaChatOptions.builder().model(name).maxTokens(2))
				.call()
				.chatResponse()
				.getMetadata()
				.getModel()).isEqualTo(name);
		}
		assertThat(this.embeddingModel
			.call(new EmbeddingRequest(List.of("a gpu"), EmbeddingOptions.builder().model("bert").build()))
			.getMetadata()
			.getModel()).isEqualTo("bert");
		assertThatThrownBy(() -> this.embeddingModel
			.call(new EmbeddingRequest(List.of("a gpu"), EmbeddingOptions.builder().model("llama").build())))
			.isInstanceOf(NonTransientAiException.class)
			.hasMessageContaining("'llama' is a chat model");
	}

	@Test
	void unloadingOneModelLeavesTheOthersServingAndItCanBeActivatedAgainByName() throws Exception {
		assertThat(send(post("/actuator/llcudamodels", "{\"action\": \"unload\", \"model\": \"qwen\"}", ADMIN_KEY))
			.statusCode()).isEqualTo(200);
		HttpResponse<String> unloaded = send(post("/v1/chat/completions", chatBody("qwen"), null));
		assertThat(unloaded.statusCode()).as(unloaded.body()).isEqualTo(503);
		assertThat(chat("llama").at("/model").asString()).isEqualTo("llama");
		assertThat(embed("bert").at("/model").asString()).isEqualTo("bert");

		assertThat(send(post("/actuator/llcudamodels", "{\"action\": \"unload\", \"model\": \"bert\"}", ADMIN_KEY))
			.statusCode()).isEqualTo(200);
		HttpResponse<String> noEmbeddings = send(
				post("/v1/embeddings", "{\"model\": \"bert\", \"input\": \"x\"}", null));
		assertThat(noEmbeddings.statusCode()).as(noEmbeddings.body()).isEqualTo(503);
		assertThat(chat("llama").at("/model").asString()).isEqualTo("llama");

		HttpResponse<String> registered = send(
				post("/actuator/llcudamodels", "{\"path\": \"" + QWEN.toAbsolutePath().normalize() + "\"}", ADMIN_KEY));
		assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
		long id = json(registered).at("/id").asLong();
		HttpResponse<String> activated = send(
				post("/actuator/llcudamodels/" + id, "{\"action\": \"activate\", \"model\": \"qwen\"}", ADMIN_KEY));
		assertThat(activated.statusCode()).as(activated.body()).isEqualTo(200);
		assertThat(chat("qwen").at("/model").asString()).isEqualTo("qwen");
		assertThat(chat(null).at("/model").asString()).isEqualTo("llama");
		this.models.embedding("bert").activate(EmbeddingsEndpointTests.bertMicro());
		assertThat(embed("bert").at("/model").asString()).isEqualTo("bert");
	}

	@Test
	void aSetThatDoesNotFitIsRefusedNamingEachModelAndItsSize() throws Exception {
		Path bert = EmbeddingsEndpointTests.bertMicro();
		SpringApplicationBuilder application = new SpringApplicationBuilder(SampleApplication.class).properties(
				"server.port=0", "llcuda.native.cache-dir=" + SampleApplicationTests.NATIVE_CACHE,
				"llcuda.gpu.enabled=false", "llcuda.registry.enabled=false",
				"llcuda.models.llama.path=" + SampleApplicationTests.MODEL, "llcuda.models.qwen.path=" + QWEN,
				"llcuda.models.bert.path=" + bert, "llcuda.memory-budget=1MB");
		assertThatThrownBy(application::run).rootCause()
			.hasMessageContainingAll("do not fit", "'llama'", "'qwen'", "'bert'", "MiB", "llcuda.memory-budget");
	}

	private JsonNode chat(@Nullable String model) throws Exception {
		HttpResponse<String> response = send(post("/v1/chat/completions", chatBody(model), null));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return json(response);
	}

	private static String chatBody(@Nullable String model) {
		return "{" + (model != null ? "\"model\": \"" + model + "\", " : "")
				+ "\"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}], \"max_tokens\": 2}";
	}

	private JsonNode embed(@Nullable String model) throws Exception {
		HttpResponse<String> response = send(post("/v1/embeddings",
				"{" + (model != null ? "\"model\": \"" + model + "\", " : "") + "\"input\": \"what is a gpu\"}", null));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return json(response);
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	private HttpRequest post(String path, String body, @Nullable String key) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
			.timeout(Duration.ofSeconds(60))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body));
		return (key != null ? request.header("Authorization", "Bearer " + key) : request).build();
	}

	private static HttpResponse<String> send(HttpRequest request) throws Exception {
		return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private static JsonNode json(HttpResponse<String> response) {
		return JSON.readTree(response.body());
	}

}
