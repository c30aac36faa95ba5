package dev.llcuda.sample;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The subset of OpenAI's chat and completion wire format the service speaks (snake_case
 * on the wire).
 */
final class OpenAiApi {

	private OpenAiApi() {
	}

	/**
	 * Sampling fields shared by both requests; top_k, min_p and repeat_penalty as
	 * llama.cpp's server names them.
	 */
	interface Sampling {

		@Nullable Boolean stream();

		/** Whether the answer streams as server-sent events. */
		default boolean streaming() {
			return Boolean.TRUE.equals(stream());
		}

		@Nullable Double temperature();

		@Nullable Double topP();

		@Nullable Integer topK();

		@Nullable Double minP();

		@Nullable Integer maxTokens();

		@Nullable List<String> stop();

		@Nullable Double frequencyPenalty();

		@Nullable Double presencePenalty();

		@Nullable Double repeatPenalty();

		@Nullable Long seed();

		/**
		 * The served model's name, or {@code name:adapter} for one of its LoRA adapters;
		 * null: the served model.
		 */
		@Nullable String model();

		/**
		 * LoRA adapters stacked on the request, each with a factor on its scale
		 * (llama.cpp's {@code lora}); null: none.
		 */
		@Nullable List<Lora> lora();

	}

	/**
	 * One stacked LoRA adapter: the name it is loaded under and a factor on its scale
	 * (default 1).
	 */
	record Lora(@Nullable String name, @Nullable Double scale) {
	}

	/**
	 * A message of the answer; {@code content} is null when the assistant only calls
	 * tools.
	 */
	record Message(String role, @Nullable String content,
			@JsonProperty("tool_calls") @JsonInclude(JsonInclude.Include.NON_EMPTY) @Nullable List<ToolCall> toolCalls) {
	}

	/**
	 * A message of the request: {@code content} a string or an array of content parts;
	 * assistant turns may carry {@code tool_calls}, {@code tool} turns answer one by
	 * {@code tool_call_id}.
	 */
	record InputMessage(String role, @Nullable JsonNode content,
			@JsonProperty("tool_calls") @Nullable List<ToolCall> toolCalls,
			@JsonProperty("tool_call_id") @Nullable String toolCallId, @Nullable String name) {
	}

	record ToolCall(@Nullable String id, @Nullable String type, FunctionCall function) {
	}

	/** {@code arguments} is JSON text, as OpenAI writes it. */
	record FunctionCall(String name, String arguments) {
	}

	/**
	 * A function the model may call: {@code parameters} is its arguments' JSON Schema.
	 */
	record Tool(String type, Function function) {
	}

	record Function(String name, @Nullable String description, @Nullable JsonNode parameters) {
	}

	record StreamOptions(@JsonProperty("include_usage") @Nullable Boolean includeUsage) {
	}

	/**
	 * A chat request. Fields not listed here land in {@code unknown} to be refused by
	 * name; some listed ones are only there to be refused with a reason:
	 * {@code logit_bias}.
	 */
	record ChatRequest(@Nullable String model, List<InputMessage> messages, @Nullable Boolean stream,
			@Nullable Double temperature, @JsonProperty("top_p") @Nullable Double topP,
			@JsonProperty("top_k") @Nullable Integer topK, @JsonProperty("min_p") @Nullable Double minP,
			@JsonProperty("max_tokens") @Nullable Integer maxTokens,
			@JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) @Nullable List<String> stop,
			@JsonProperty("frequency_penalty") @Nullable Double frequencyPenalty,
			@JsonProperty("presence_penalty") @Nullable Double presencePenalty,
			@JsonProperty("repeat_penalty") @Nullable Double repeatPenalty, @Nullable Long seed,
			@JsonProperty("max_completion_tokens") @Nullable Integer maxCompletionTokens, @Nullable Integer n,
			@JsonProperty("stream_options") @Nullable StreamOptions streamOptions, @Nullable List<Tool> tools,
			@JsonProperty("tool_choice") @Nullable JsonNode toolChoice,
			@JsonProperty("parallel_tool_calls") @Nullable Boolean parallelToolCalls,
			@JsonProperty("response_format") @Nullable JsonNode responseFormat, @Nullable Boolean logprobs,
			@JsonProperty("top_logprobs") @Nullable Integer topLogprobs,
			@JsonProperty("logit_bias") @Nullable JsonNode logitBias, @Nullable String user, @Nullable List<Lora> lora,
			@JsonAnySetter @Nullable Map<String, JsonNode> unknown) implements Sampling {
	}

	record CompletionRequest(@Nullable String model, String prompt, @Nullable Boolean stream,
			@Nullable Double temperature, @JsonProperty("top_p") @Nullable Double topP,
			@JsonProperty("top_k") @Nullable Integer topK, @JsonProperty("min_p") @Nullable Double minP,
			@JsonProperty("max_tokens") @Nullable Integer maxTokens,
			@JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) @Nullable List<String> stop,
			@JsonProperty("frequency_penalty") @Nullable Double frequencyPenalty,
			@JsonProperty("presence_penalty") @Nullable Double presencePenalty,
			@JsonProperty("repeat_penalty") @Nullable Double repeatPenalty, @Nullable Long seed,
			@Nullable Integer logprobs, @Nullable List<Lora> lora) implements Sampling {
	}

	record Usage(@JsonProperty("prompt_tokens") int promptTokens,
			@JsonProperty("completion_tokens") int completionTokens, @JsonProperty("total_tokens") int totalTokens) {
	}

	@JsonInclude(JsonInclude.Include.NON_NULL)
	record ChatChoice(int index, @Nullable Message message, @Nullable Delta delta, @Nullable LogProbs logprobs,
			@JsonProperty("finish_reason") @Nullable String finishReason) {
	}

	/**
	 * A choice's log-probabilities: one entry per token of its content (of the chunk's,
	 * in a stream).
	 */
	record LogProbs(List<TokenLogProb> content) {
	}

	record TokenLogProb(String token, float logprob, List<Integer> bytes,
			@JsonProperty("top_logprobs") List<TopLogProb> topLogprobs) {
	}

	record TopLogProb(String token, float logprob, List<Integer> bytes) {
	}

	/**
	 * The legacy completions' log-probabilities: parallel lists per token, alternatives
	 * as token-to-value maps.
	 */
	record TextLogProbs(List<String> tokens, @JsonProperty("token_logprobs") List<Float> tokenLogprobs,
			@JsonProperty("top_logprobs") List<Map<String, Float>> topLogprobs,
			@JsonProperty("text_offset") List<Integer> textOffset) {
	}

	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Delta(@Nullable String role, @Nullable String content,
			@JsonProperty("tool_calls") @Nullable List<ToolCallDelta> toolCalls) {

		Delta(@Nullable String role, @Nullable String content) {
			this(role, content, null);
		}
	}

	/**
	 * A tool call in a stream: whole in one delta, numbered by {@code index} within its
	 * choice.
	 */
	record ToolCallDelta(int index, String id, String type, FunctionCall function) {
	}

	@JsonInclude(JsonInclude.Include.NON_NULL)
	record ChatResponse(String id, String object, long created, String model,
			@JsonProperty("system_fingerprint") @Nullable String systemFingerprint, List<ChatChoice> choices,
			@Nullable Usage usage) {
	}

	@JsonInclude(JsonInclude.Include.ALWAYS)
	record TextChoice(int index, String text, @Nullable TextLogProbs logprobs,
			@JsonProperty("finish_reason") @Nullable String finishReason) {
	}

	@JsonInclude(JsonInclude.Include.NON_NULL)
	record CompletionResponse(String id, String object, long created, String model, List<TextChoice> choices,
			@Nullable Usage usage) {
	}

	record Model(String id, String object, long created, @JsonProperty("owned_by") String ownedBy) {
	}

	record ModelList(String object, List<Model> data) {
	}

	/**
	 * OpenAI's error object: {@code param} names the request field at fault, {@code code}
	 * the reason.
	 */
	@JsonInclude(JsonInclude.Include.ALWAYS)
	record Error(String message, String type, @Nullable String param, @Nullable String code) {

		Error(String message, String type) {
			this(message, type, null, null);
		}
	}

	record ErrorBody(Error error) {
	}

}
