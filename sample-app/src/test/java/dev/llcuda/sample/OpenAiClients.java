package dev.llcuda.sample;

import java.util.ArrayList;
import java.util.List;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;

/** OpenAI's own Java client against the scripted service, and its streams read whole. */
final class OpenAiClients {

	private OpenAiClients() {
	}

	/** A client of the service on {@code port}, with its API key and no retries. */
	static OpenAIClient connect(int port) {
		return OpenAIOkHttpClient.builder()
			.baseUrl("http://localhost:" + port + "/v1")
			.apiKey(ScriptedService.API_KEY)
			.maxRetries(0)
			.build();
	}

	/** Every chunk of a streamed completion. */
	static List<ChatCompletionChunk> stream(OpenAIClient client, ChatCompletionCreateParams params) {
		try (StreamResponse<ChatCompletionChunk> response = client.chat().completions().createStreaming(params)) {
			return new ArrayList<>(response.stream().toList());
		}
	}

	/** The completion the chunks of a stream add up to, as OpenAI's client builds it. */
	static ChatCompletion accumulate(List<ChatCompletionChunk> chunks) {
		ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
		chunks.forEach(accumulator::accumulate);
		return accumulator.chatCompletion();
	}

}
