package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Client mistakes get 4xx with OpenAI's error object, never 5xx, and leave the engine
 * serving; streaming requests are refused before their stream starts, with the same
 * status as the others.
 */
class BadRequestTests extends MicroModelService {

	private static final String HELLO = "[{\"role\": \"user\", \"content\": \"Hello\"}]";

	/** A prompt longer than the context (512 positions here). */
	private static final String TOO_LONG = "once upon a time ".repeat(600);

	@Test
	void everyBadInputGets4xxWithAnOpenAiErrorAndTheEngineStaysUp() throws Exception {
		awaitReady();
		Map<String, HttpRequest> requests = new LinkedHashMap<>();
		requests.put("no body", post("/v1/chat/completions", "", null));
		requests.put("a null body", post("/v1/chat/completions", "null", null));
		requests.put("malformed JSON", post("/v1/chat/completions", "{\"messages\": [", null));
		requests.put("no messages", post("/v1/chat/completions", "{}", null));
		requests.put("null messages", post("/v1/chat/completions", "{\"messages\": null}", null));
		requests.put("empty messages", post("/v1/chat/completions", "{\"messages\": []}", null));
		requests.put("a null message", post("/v1/chat/completions", "{\"messages\": [null]}", null));
		requests.put("a message without a role",
				post("/v1/chat/completions", "{\"messages\": [{\"content\": \"Hello\"}]}", null));
		requests.put("an unknown role",
				post("/v1/chat/completions", "{\"messages\": [{\"role\": \"robot\", \"content\": \"Hello\"}]}", null));
		requests.put("messages of the wrong type", post("/v1/chat/completions", "{\"messages\": \"Hello\"}", null));
		requests.put("stop [null]", chat("\"stop\": [null]"));
		requests.put("stop of the wrong type", chat("\"stop\": {\"a\": 1}"));
		requests.put("max_tokens a string", chat("\"max_tokens\": \"ten\""));
		requests.put("max_tokens 0", chat("\"max_tokens\": 0"));
		requests.put("max_tokens negative", chat("\"max_tokens\": -1"));
		requests.put("max_tokens beyond int", chat("\"max_tokens\": 99999999999"));
		requests.put("temperature a string", chat("\"temperature\": \"hot\""));
		requests.put("seed beyond long", chat("\"seed\": 1e400"));
		requests.put("seed an object", chat("\"seed\": {}"));
		requests.put("a prompt longer than the context", post("/v1/chat/completions",
				"{\"messages\": [{\"role\": \"user\", \"content\": \"" + TOO_LONG + "\"}]}", null));
		requests.put("a prompt longer than the context, streamed", post("/v1/chat/completions",
				"{\"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"" + TOO_LONG + "\"}]}", null));
		requests.put("completion without a prompt", post("/v1/completions", "{}", null));
		requests.put("completion with a null prompt", post("/v1/completions", "{\"prompt\": null}", null));
		requests.put("completion with a prompt array", post("/v1/completions", "{\"prompt\": [\"a\", \"b\"]}", null));
		requests.put("completion longer than the context, streamed",
				post("/v1/completions", "{\"stream\": true, \"prompt\": \"" + TOO_LONG + "\"}", null));
		// the sampling values that once failed the engine for everyone, plain and
		// streamed
		for (String sampling : new String[] { "\"top_p\": 0", "\"top_p\": -1", "\"min_p\": 2",
				"\"temperature\": -1" }) {
			requests.put("completion with " + sampling,
					post("/v1/completions", "{\"prompt\": \"hi\", " + sampling + "}", null));
			requests.put("streamed completion with " + sampling,
					post("/v1/completions", "{\"stream\": true, \"prompt\": \"hi\", " + sampling + "}", null));
			requests.put("chat with " + sampling, chat(sampling));
		}
		requests.put("text/plain",
				HttpRequest.newBuilder(uri("/v1/chat/completions"))
					.timeout(Duration.ofSeconds(60))
					.header("Content-Type", "text/plain")
					.POST(HttpRequest.BodyPublishers.ofString("hi"))
					.build());
		requests.put("GET on a POST endpoint", get("/v1/chat/completions", null));
		requests.put("an unknown endpoint", get("/v1/nothing", null));

		for (Map.Entry<String, HttpRequest> request : requests.entrySet()) {
			HttpResponse<String> response = send(request.getValue());
			assertThat(response.statusCode()).as(request.getKey() + ": " + response.body()).isBetween(400, 499);
			assertThat(response.headers().firstValue("Content-Type").orElse("")).as(request.getKey())
				.startsWith("application/json");
			JsonNode error = json(response).at("/error");
			assertThat(error.at("/message").asString()).as(request.getKey()).isNotBlank();
			assertThat(error.at("/type").asString()).as(request.getKey()).endsWith("_error");
			assertThat(error.has("param") && error.has("code")).as(request.getKey()).isTrue();
		}

		assertThat(json(send(post("/v1/chat/completions", "{\"messages\": [{\"content\": \"Hello\"}]}", null)))
			.at("/error/message")
			.asString()).contains("role");
		JsonNode wrongType = json(send(chat("\"max_tokens\": \"ten\""))).at("/error");
		assertThat(wrongType.at("/param").asString()).isEqualTo("max_tokens");
		assertThat(wrongType.at("/message").asString()).isEqualTo("max_tokens must be an integer");
		assertThat(
				json(send(requests.get("a prompt longer than the context, streamed"))).at("/error/message").asString())
			.contains("context");

		assertThat(json(send(get("/actuator/health/llcuda", ADMIN_KEY))).at("/status").asString()).isEqualTo("UP");
		assertThat(send(chat("\"max_tokens\": 3")).statusCode()).isEqualTo(200);
	}

	private HttpRequest chat(String field) {
		return post("/v1/chat/completions", "{\"messages\": " + HELLO + ", " + field + "}", null);
	}

}
