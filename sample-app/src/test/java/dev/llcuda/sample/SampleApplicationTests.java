package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.ai.chat.client.AdvisorParams;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.llcuda.chat.LlcudaChatOptions;
import dev.llcuda.chat.LlcudaResponseFormat;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.RuntimeState;

/** The service on the shared micro-llama model, over real HTTP, on the CPU. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleApplicationTests {

    static final Path MODELS = Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"), "models")
            .toAbsolutePath().normalize();

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

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("llcuda.model.path", MODEL::toString);
        registry.add("llcuda.native.cache-dir", NATIVE_CACHE::toString);
        registry.add("llcuda.gpu.enabled", () -> "false");
        registry.add("llcuda.engine.cpu-threads", () -> "2");
        registry.add("llcuda.registry.model-folders", MODELS::toString);
        registry.add("llcuda.registry.scan-on-startup", () -> "false");
        registry.add("llcuda.registry.database-file", () -> Path.of("target", "registry-test").toAbsolutePath().toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    ChatClient chatClient;

    @Autowired
    LlcudaRuntime runtime;

    @BeforeAll
    static void checkModel() {
        assertThat(MODEL).exists();
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (this.runtime.state() == RuntimeState.LOADING && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(this.runtime.state()).as(this.runtime.failure().orElse("")).isEqualTo(RuntimeState.READY);
    }

    @Test
    void chatClientCallAndStreamGiveTheTextOfLlcudaGenerateWithExactUsage() throws Exception {
        awaitReady();
        // the Llama 2 template renders one user turn as "<s>[INST] Hello [/INST]"; generate adds the BOS itself
        CliGenerate.Output cli = CliGenerate.run(MODEL, "[INST] Hello [/INST]", 12, 42, NATIVE_CACHE);
        LlcudaChatOptions.Builder options = LlcudaChatOptions.builder().maxTokens(12).seed(42L);

        ChatResponse called = this.chatClient.prompt().user("Hello").options(options).call().chatResponse();
        assertThat(called.getResult().getOutput().getText()).isEqualTo(cli.text());
        assertThat(called.getMetadata().getUsage().getPromptTokens()).isEqualTo(cli.promptTokens());
        assertThat(called.getMetadata().getUsage().getCompletionTokens()).isEqualTo(cli.generatedTokens());

        String streamed = String.join("", Objects.requireNonNull(this.chatClient.prompt().user("Hello").options(options)
                .stream().content().collectList().block(Duration.ofSeconds(30))));
        assertThat(streamed).isEqualTo(cli.text());
    }

    enum Mood { CALM, HAPPY, GRUMPY }

    record Detail(long count, boolean checked) {
    }

    // no strings or unbounded arrays: a random-weights model would fill them until max tokens
    record Verdict(Mood mood, int score, boolean approved, Detail detail) {
    }

    @Test
    void chatClientEntityDecodesUnderTheRecordsSchemaNatively() throws Exception {
        awaitReady();
        // a random-weights model writes no JSON by itself: every parsable answer here is the grammar's doing
        for (long seed = 0; seed < 5; seed++) {
            LlcudaChatOptions.Builder options = LlcudaChatOptions.builder().temperature(1.0).topK(0).topP(1.0)
                    .minP(0.0).maxTokens(200).seed(seed);
            Verdict verdict = this.chatClient.prompt().user("Judge this.").options(options)
                    .advisors(AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT).call().entity(Verdict.class);
            assertThat(verdict).isNotNull();
            assertThat(verdict.mood()).isNotNull();
            assertThat(verdict.detail()).isNotNull();
        }
        String text = this.chatClient.prompt().user("Judge this.").options(LlcudaChatOptions.builder().maxTokens(40)
                .seed(1L).responseFormat(LlcudaResponseFormat.jsonObject())).call().content();
        assertThat(text.strip()).startsWith("{");
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

        HttpResponse<String> events = HTTP.send(request("/v1/completions",
                "{\"prompt\": \"Once upon a time\", \"max_tokens\": 10, \"seed\": 7, \"stream\": true}"),
                HttpResponse.BodyHandlers.ofString());
        assertThat(events.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        StringBuilder text = new StringBuilder();
        List<String> data = events.body().lines().filter(line -> line.startsWith("data:"))
                .map(line -> line.substring(5)).toList();
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
    }

    @Test
    void cancellingAStreamFreesItsKvBlocks() throws Exception {
        awaitReady();
        List<String> first = this.chatClient.prompt().user("Tell me a long story")
                .options(LlcudaChatOptions.builder().maxTokens(200).seed(3L)).stream().content()
                .filter(piece -> !piece.isEmpty()).take(2).collectList().block(Duration.ofSeconds(30));
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

    private HttpRequest request(String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private JsonNode post(String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request(path, body), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isIn(200, 503);
        return JSON.readTree(response.body());
    }

    private int status(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
