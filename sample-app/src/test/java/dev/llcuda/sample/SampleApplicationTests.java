package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.ai.chat.client.AdvisorParams;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.beans.factory.annotation.Autowired;

import dev.llcuda.chat.LlcudaChatOptions;
import dev.llcuda.chat.LlcudaResponseFormat;
import dev.llcuda.runtime.RuntimeState;

/** The service on the shared micro-llama model, over real HTTP, on the CPU. */
class SampleApplicationTests extends MicroModelService {

	static final Path MODELS = Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"), "models")
		.toAbsolutePath()
		.normalize();

	static final Path MODEL = MODELS.resolve("micro-llama-Q8_0.gguf");

	static final Path NATIVE_CACHE = Path.of("target", "llcuda-cache").toAbsolutePath();

	/** Meters the README documents; the GPU ones exist only on a GPU with NVML. */
	static final List<String> ENGINE_METERS = List.of("llcuda.tokens.input", "llcuda.tokens.output",
			"llcuda.time.to.first.token", "llcuda.inter.token.latency", "llcuda.requests", "llcuda.requests.queued",
			"llcuda.sequences.running", "llcuda.kv.cache.usage", "llcuda.kv.cache.blocks.used",
			"llcuda.kv.cache.blocks.total", "llcuda.prefix.cache.hit.rate", "gen_ai.client.operation",
			"gen_ai.client.token.usage", "resilience4j.bulkhead.available.concurrent.calls",
			"resilience4j.circuitbreaker.state", "resilience4j.timelimiter.calls");

	static final List<String> GPU_METERS = List.of("llcuda.gpu.utilization", "llcuda.gpu.memory.used",
			"llcuda.gpu.memory.total", "llcuda.gpu.temperature", "llcuda.gpu.power");

	@Autowired
	ChatClient chatClient;

	@BeforeAll
	static void checkModel() {
		assertThat(MODEL).exists();
	}

	@Test
	void chatClientCallAndStreamGiveTheTextOfLlcudaGenerateWithExactUsage() throws Exception {
		awaitReady();
		// the Llama 2 template renders one user turn as "<s>[INST] Hello [/INST]";
		// generate adds the BOS itself
		CliGenerate.Output cli = CliGenerate.run(MODEL, "[INST] Hello [/INST]", 12, 42, NATIVE_CACHE);
		LlcudaChatOptions.Builder options = LlcudaChatOptions.builder().maxTokens(12).seed(42L);

		ChatResponse called = this.chatClient.prompt().user("Hello").options(options).call().chatResponse();
		assertThat(called.getResult().getOutput().getText()).isEqualTo(cli.text());
		assertThat(called.getMetadata().getUsage().getPromptTokens()).isEqualTo(cli.promptTokens());
		assertThat(called.getMetadata().getUsage().getCompletionTokens()).isEqualTo(cli.generatedTokens());

		String streamed = String.join("",
				Objects.requireNonNull(this.chatClient.prompt()
					.user("Hello")
					.options(options)
					.stream()
					.content()
					.collectList()
					.block(Duration.ofSeconds(30))));
		assertThat(streamed).isEqualTo(cli.text());
	}

	enum Mood {

		CALM, HAPPY, GRUMPY

	}

	record Detail(long count, boolean checked) {
	}

	// no strings or unbounded arrays: a random-weights model would fill them until max
	// tokens
	record Verdict(Mood mood, int score, boolean approved, Detail detail) {
	}

	@Test
	void chatClientEntityDecodesUnderTheRecordsSchemaNatively() throws Exception {
		awaitReady();
		// a random-weights model writes no JSON by itself: every parsable answer here is
		// the grammar's doing
		for (long seed = 0; seed < 5; seed++) {
			LlcudaChatOptions.Builder options = LlcudaChatOptions.builder()
				.temperature(1.0)
				.topK(0)
				.topP(1.0)
				.minP(0.0)
				.maxTokens(200)
				.seed(seed);
			Verdict verdict = this.chatClient.prompt()
				.user("Judge this.")
				.options(options)
				.advisors(AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT)
				.call()
				.entity(Verdict.class);
			assertThat(verdict).isNotNull();
			assertThat(verdict.mood()).isNotNull();
			assertThat(verdict.detail()).isNotNull();
		}
		String text = this.chatClient.prompt()
			.user("Judge this.")
			.options(LlcudaChatOptions.builder()
				.maxTokens(40)
				.seed(1L)
				.responseFormat(LlcudaResponseFormat.jsonObject()))
			.call()
			.content();
		assertThat(text.strip()).startsWith("{");
	}

	@Test
	void openAiResponseFormatsDecodeUnderTheirGrammarAndUnsupportedOnesGet400() throws Exception {
		awaitReady();
		String sampling = "\"temperature\": 1.0, \"top_k\": 0, \"top_p\": 1.0, \"min_p\": 0.0, \"max_tokens\": 200";
		String schema = "{\"type\": \"object\", \"properties\": {\"score\": {\"type\": \"integer\"}, "
				+ "\"approved\": {\"type\": \"boolean\"}}, \"required\": [\"score\", \"approved\"], "
				+ "\"additionalProperties\": false}";
		// a random-weights model writes no JSON by itself: every parsable answer here is
		// the grammar's doing
		for (long seed = 0; seed < 4; seed++) {
			for (String strict : List.of("true", "false")) {
				JsonNode response = post("/v1/chat/completions",
						"{\"messages\": [{\"role\": \"user\", " + "\"content\": \"Judge this.\"}], " + sampling
								+ ", \"seed\": " + seed + ", "
								+ "\"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": "
								+ "\"verdict\", \"strict\": " + strict + ", \"schema\": " + schema + "}}}");
				JsonNode verdict = JSON.readTree(response.at("/choices/0/message/content").asString());
				assertThat(verdict.isObject()).as(verdict.toString()).isTrue();
				assertThat(verdict.path("score").isIntegralNumber()).as(verdict.toString()).isTrue();
				assertThat(verdict.path("approved").isBoolean()).as(verdict.toString()).isTrue();
				assertThat(verdict.size()).as(verdict.toString()).isEqualTo(2);
			}
		}
		JsonNode object = post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": "
				+ "\"Hi\"}], \"max_tokens\": 40, \"seed\": 1, \"response_format\": {\"type\": \"json_object\"}}");
		assertThat(object.at("/choices/0/message/content").asString().strip()).startsWith("{");

		Map<String, String> refused = Map.of(
				"{\"type\": \"json_schema\", \"json_schema\": {\"schema\": {\"type\": "
						+ "\"string\", \"pattern\": \"^(?=a)a+$\"}}}",
				"lookaround", "{\"type\": \"json_schema\", \"json_schema\": " + "{\"name\": \"x\"}}",
				"response_format json_schema needs json_schema.schema", "{\"type\": \"xml\"}",
				"response_format type 'xml'");
		for (Map.Entry<String, String> bad : refused.entrySet()) {
			HttpResponse<String> response = send(post("/v1/chat/completions",
					"{\"messages\": [{\"role\": \"user\", "
							+ "\"content\": \"Hi\"}], \"max_tokens\": 4, \"response_format\": " + bad.getKey() + "}",
					null));
			assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
			assertThat(JSON.readTree(response.body()).at("/error/message").asString()).contains(bad.getValue());
		}
		assertThat(this.runtime.state()).isEqualTo(RuntimeState.READY);
	}

	@Test
	void openAiCompletionsMatchLlcudaGenerateOverHttp() throws Exception {
		awaitReady();
		CliGenerate.Output cli = CliGenerate.run(MODEL, "Once upon a time", 10, 7, NATIVE_CACHE);
		JsonNode response = post("/v1/completions",
				"{\"prompt\": \"Once upon a time\", \"max_tokens\": 10, \"seed\": 7}");
		assertThat(response.at("/choices/0/text").asString()).isEqualTo(cli.text());
		assertThat(response.at("/usage/prompt_tokens").asInt()).isEqualTo(cli.promptTokens());
		assertThat(response.at("/usage/completion_tokens").asInt()).isEqualTo(cli.generatedTokens());
		assertThat(response.at("/choices/0/finish_reason").asString()).isEqualTo("length");

		HttpResponse<String> events = send(post("/v1/completions",
				"{\"prompt\": \"Once upon a time\", \"max_tokens\": 10, \"seed\": 7, \"stream\": true}", null));
		assertThat(events.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
		StringBuilder text = new StringBuilder();
		List<String> data = events.body()
			.lines()
			.filter(line -> line.startsWith("data:"))
			.map(line -> line.substring(5))
			.toList();
		assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
		String id = JSON.readTree(data.get(0)).at("/id").asString();
		for (String chunk : data.subList(0, data.size() - 1)) {
			JsonNode node = JSON.readTree(chunk);
			assertThat(node.at("/id").asString()).isEqualTo(id);
			assertThat(node.at("/model").asString()).isEqualTo("synthetic-llama-micro");
			text.append(node.at("/choices/0/text").asString());
		}
		assertThat(text.toString()).isEqualTo(cli.text());
	}

	@Test
	void openAiChatCompletionsAndModelsOverHttp() throws Exception {
		awaitReady();
		JsonNode response = post("/v1/chat/completions",
				"{\"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}], \"max_tokens\": 12, \"seed\": 42}");
		assertThat(response.at("/object").asString()).isEqualTo("chat.completion");
		assertThat(response.at("/choices/0/message/role").asString()).isEqualTo("assistant");
		assertThat(response.at("/usage/total_tokens").asInt())
			.isEqualTo(response.at("/usage/prompt_tokens").asInt() + response.at("/usage/completion_tokens").asInt());
		JsonNode models = get("/v1/models");
		assertThat(models.at("/data/0/id").asString()).isEqualTo("synthetic-llama-micro");
	}

	@Test
	void healthAndEveryDocumentedMeterArePresentOverHttp() throws Exception {
		awaitReady();
		this.chatClient.prompt().user("Hi").options(LlcudaChatOptions.builder().maxTokens(3)).call().content();
		JsonNode health = get("/actuator/health");
		JsonNode llcuda = health.at("/components/llcuda");
		assertThat(llcuda.at("/status").asString()).isEqualTo("UP");
		assertThat(llcuda.at("/details/model/architecture").asString()).isEqualTo("llama");
		assertThat(llcuda.at("/details/model/quantization").asString()).isEqualTo("Q8_0");
		assertThat(llcuda.at("/details/nativeLibrary/sha256").asString()).hasSize(64);
		assertThat(llcuda.at("/details/device/profile").asString()).isEqualTo("cpu");
		assertThat(llcuda.at("/details/engine/kvBlocksTotal").asInt()).isPositive();
		for (String meter : ENGINE_METERS) {
			assertThat(status("/actuator/metrics/" + meter)).as(meter).isEqualTo(200);
		}
		for (String meter : GPU_METERS) {
			assertThat(status("/actuator/metrics/" + meter)).as(meter + " on the CPU").isEqualTo(404);
		}
		HttpResponse<String> prometheus = send(get("/actuator/prometheus", null));
		assertThat(prometheus.statusCode()).isEqualTo(200);
		assertThat(prometheus.body()).contains("llcuda_tokens_output_tokens_total",
				"llcuda_kv_cache_blocks_used_blocks", "llcuda_requests_queued_requests");
	}

	@Test
	void cancellingAStreamFreesItsKvBlocks() throws Exception {
		awaitReady();
		List<String> first = this.chatClient.prompt()
			.user("Tell me a long story")
			.options(LlcudaChatOptions.builder().maxTokens(200).seed(3L))
			.stream()
			.content()
			.filter(piece -> !piece.isEmpty())
			.take(2)
			.collectList()
			.block(Duration.ofSeconds(30));
		assertThat(first).hasSize(2);
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		double used = meter("llcuda.kv.cache.blocks.used");
		while ((used > 0 || meter("llcuda.sequences.running") > 0) && System.nanoTime() < deadline) {
			Thread.sleep(20);
			used = meter("llcuda.kv.cache.blocks.used");
		}
		assertThat(used).isZero();
		assertThat(meter("llcuda.sequences.running")).isZero();
	}

	private double meter(String name) throws IOException, InterruptedException {
		return get("/actuator/metrics/" + name).at("/measurements/0/value").asDouble();
	}

	@Test
	void samplingParametersOutOfRangeGet400NamingThemAndTheEngineKeepsServing() throws Exception {
		awaitReady();
		Map<String, String> refused = Map.of("\"top_p\": 0", "top_p 0.0 must be in (0, 1] (1: off)", "\"top_p\": -1",
				"top_p -1.0 must be in (0, 1] (1: off)", "\"min_p\": 2", "min_p 2.0 must be in [0, 1] (0: off)",
				"\"temperature\": -1", "temperature -1.0 must be finite and >= 0 (0: greedy)");
		for (Map.Entry<String, String> bad : refused.entrySet()) {
			HttpResponse<String> response = send(
					post("/v1/completions", "{\"prompt\": \"hi\", \"max_tokens\": 4, " + bad.getKey() + "}", null));
			assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
			assertThat(JSON.readTree(response.body()).at("/error/message").asString()).isEqualTo(bad.getValue());
		}
		JsonNode tiny = post("/v1/completions", "{\"prompt\": \"hi\", \"max_tokens\": 4, \"temperature\": 1e-40}");
		assertThat(tiny.at("/usage/completion_tokens").asInt()).isPositive();
		assertThat(this.runtime.state()).isEqualTo(RuntimeState.READY);
	}

	@Test
	void anAdapterTheServiceDidNotLoadGets400NamingIt() throws Exception {
		awaitReady();
		HttpResponse<String> response = send(
				post("/v1/chat/completions",
						"{\"model\": \"synthetic-llama-micro:legal\","
								+ " \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}], \"max_tokens\": 4}",
						null));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		assertThat(JSON.readTree(response.body()).at("/error/message").asString())
			.isEqualTo("unknown adapter 'legal': the model was loaded without adapters");
		HttpResponse<String> otherBase = send(
				post("/v1/chat/completions",
						"{\"model\": \"gpt-4o:legal\","
								+ " \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}], \"max_tokens\": 4}",
						null));
		assertThat(otherBase.statusCode()).as(otherBase.body()).isEqualTo(404);
	}

	private JsonNode post(String path, String body) throws IOException, InterruptedException {
		HttpResponse<String> response = send(post(path, body, null));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return json(response);
	}

	/** A GET as the admin, who sees health details. */
	private JsonNode get(String path) throws IOException, InterruptedException {
		HttpResponse<String> response = send(get(path, ADMIN_KEY));
		assertThat(response.statusCode()).as(path + ": " + response.body()).isIn(200, 503);
		return json(response);
	}

	private int status(String path) throws IOException, InterruptedException {
		return send(get(path, null)).statusCode();
	}

}
