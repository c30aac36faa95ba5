package dev.llcuda.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.IntStream;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * OpenAI's answer to one chat request, as a whole or as stream chunks: one id, creation
 * time and system fingerprint over all its choices; the prompt counted once in the usage,
 * the completions of every choice added up.
 */
record ChatCompletion(String id, long created, String systemFingerprint) {

	private static final String ASSISTANT = "assistant";

	private static final String FUNCTION = "function";

	OpenAiApi.ChatResponse response(List<ChatResponse> responses) {
		List<OpenAiApi.ChatChoice> choices = new ArrayList<>();
		UsageTotal usage = new UsageTotal();
		for (int i = 0; i < responses.size(); i++) {
			ChatResponse response = responses.get(i);
			choices.add(new OpenAiApi.ChatChoice(i, message(response), null, OpenAiController.chatLogprobs(response),
					OpenAiController.finishReason(response)));
			usage.add(OpenAiController.usage(response));
		}
		return new OpenAiApi.ChatResponse(this.id, "chat.completion", this.created,
				OpenAiController.model(responses.get(0)), this.systemFingerprint, choices, usage.total());
	}

	/**
	 * The chunks of every choice as they come, after one chunk per choice with its role
	 * (sent when the first piece is ready, so a request refused at admission gets only
	 * the error event): tool calls come whole with their index, the finish reason in a
	 * chunk of its own; with {@code includeUsage} a last chunk without choices carries
	 * the usage.
	 */
	Flux<OpenAiApi.ChatResponse> chunks(List<Prompt> prompts, Function<Prompt, Flux<ChatResponse>> stream,
			boolean includeUsage) {
		UsageTotal usage = new UsageTotal();
		// the first chunk's model, for the usage chunk
		AtomicReference<String> model = new AtomicReference<>("");
		Flux<OpenAiApi.ChatResponse> choices = Flux
			.merge(IntStream.range(0, prompts.size())
				.mapToObj(choice -> choiceChunks(choice, stream.apply(prompts.get(choice)), usage))
				.toList())
			.switchOnFirst((first, all) -> {
				OpenAiApi.ChatResponse firstChunk = first.get();
				if (firstChunk == null) {
					return all;
				}
				String firstModel = firstChunk.model();
				model.set(firstModel);
				return Flux.concat(
						Flux.range(0, prompts.size())
							.map(choice -> chunk(choice, firstModel, new OpenAiApi.Delta(ASSISTANT, ""), null, null)),
						all);
			});
		if (!includeUsage) {
			return choices;
		}
		return choices.concatWith(Mono.fromSupplier(() -> new OpenAiApi.ChatResponse(this.id, "chat.completion.chunk",
				this.created, Objects.requireNonNull(model.get()), this.systemFingerprint, List.of(), usage.total())));
	}

	private Flux<OpenAiApi.ChatResponse> choiceChunks(int index, Flux<ChatResponse> responses, UsageTotal usage) {
		return responses.concatMapIterable(response -> {
			String model = OpenAiController.model(response);
			List<OpenAiApi.ChatResponse> chunks = new ArrayList<>();
			String text = OpenAiController.text(response);
			OpenAiApi.LogProbs logprobs = OpenAiController.chatLogprobs(response);
			if (!text.isEmpty() || logprobs != null) {
				chunks.add(chunk(index, model, new OpenAiApi.Delta(null, text), logprobs, null));
			}
			List<AssistantMessage.ToolCall> calls = assistantToolCalls(response);
			if (!calls.isEmpty()) {
				chunks.add(chunk(index, model,
						new OpenAiApi.Delta(null, null,
								IntStream.range(0, calls.size())
									.mapToObj(i -> new OpenAiApi.ToolCallDelta(i, calls.get(i).id(), FUNCTION,
											functionCall(calls.get(i))))
									.toList()),
						null, null));
			}
			String finishReason = OpenAiController.finishReason(response);
			if (finishReason != null) {
				usage.add(OpenAiController.usage(response));
				chunks.add(chunk(index, model, new OpenAiApi.Delta(null, null), null, finishReason));
			}
			return chunks;
		});
	}

	private OpenAiApi.ChatResponse chunk(int index, String model, OpenAiApi.Delta delta,
			OpenAiApi.@Nullable LogProbs logprobs, @Nullable String finishReason) {
		return new OpenAiApi.ChatResponse(this.id, "chat.completion.chunk", this.created, model, this.systemFingerprint,
				List.of(new OpenAiApi.ChatChoice(index, null, delta, logprobs, finishReason)), null);
	}

	/**
	 * The assistant's message: content null when it only calls tools, as OpenAI writes
	 * it.
	 */
	private static OpenAiApi.Message message(ChatResponse response) {
		List<OpenAiApi.ToolCall> calls = toolCalls(response);
		String text = OpenAiController.text(response);
		return new OpenAiApi.Message(ASSISTANT, calls.isEmpty() || !text.isEmpty() ? text : null,
				calls.isEmpty() ? null : calls);
	}

	private static List<OpenAiApi.ToolCall> toolCalls(ChatResponse response) {
		return assistantToolCalls(response).stream()
			.map(call -> new OpenAiApi.ToolCall(call.id(), FUNCTION, functionCall(call)))
			.toList();
	}

	private static List<AssistantMessage.ToolCall> assistantToolCalls(ChatResponse response) {
		return response.getResult() != null ? response.getResult().getOutput().getToolCalls() : List.of();
	}

	private static OpenAiApi.FunctionCall functionCall(AssistantMessage.ToolCall call) {
		return new OpenAiApi.FunctionCall(call.name(), call.arguments());
	}

	/** Usage added up over choices: the shared prompt once, every choice's completion. */
	private static final class UsageTotal {

		private final AtomicInteger promptTokens = new AtomicInteger();

		private final AtomicInteger completionTokens = new AtomicInteger();

		void add(OpenAiApi.@Nullable Usage usage) {
			if (usage != null) {
				this.promptTokens.accumulateAndGet(usage.promptTokens(), Math::max);
				this.completionTokens.addAndGet(usage.completionTokens());
			}
		}

		OpenAiApi.Usage total() {
			int prompt = this.promptTokens.get();
			int completion = this.completionTokens.get();
			return new OpenAiApi.Usage(prompt, completion, prompt + completion);
		}

	}
}
