package dev.llcuda.sample;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/** The subset of OpenAI's chat and completion wire format the service speaks (snake_case on the wire). */
final class OpenAiApi {

    private OpenAiApi() {
    }

    /** Sampling fields shared by both requests; top_k, min_p and repeat_penalty as llama.cpp's server names them. */
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
    }

    record Message(String role, String content) {
    }

    record ChatRequest(@Nullable String model, List<Message> messages, @Nullable Boolean stream, @Nullable Double temperature,
            @JsonProperty("top_p") @Nullable Double topP, @JsonProperty("top_k") @Nullable Integer topK,
            @JsonProperty("min_p") @Nullable Double minP, @JsonProperty("max_tokens") @Nullable Integer maxTokens,
            @Nullable List<String> stop, @JsonProperty("frequency_penalty") @Nullable Double frequencyPenalty,
            @JsonProperty("presence_penalty") @Nullable Double presencePenalty,
            @JsonProperty("repeat_penalty") @Nullable Double repeatPenalty, @Nullable Long seed) implements Sampling {
    }

    record CompletionRequest(@Nullable String model, String prompt, @Nullable Boolean stream, @Nullable Double temperature,
            @JsonProperty("top_p") @Nullable Double topP, @JsonProperty("top_k") @Nullable Integer topK,
            @JsonProperty("min_p") @Nullable Double minP, @JsonProperty("max_tokens") @Nullable Integer maxTokens,
            @Nullable List<String> stop, @JsonProperty("frequency_penalty") @Nullable Double frequencyPenalty,
            @JsonProperty("presence_penalty") @Nullable Double presencePenalty,
            @JsonProperty("repeat_penalty") @Nullable Double repeatPenalty, @Nullable Long seed) implements Sampling {
    }

    record Usage(@JsonProperty("prompt_tokens") int promptTokens,
            @JsonProperty("completion_tokens") int completionTokens,
            @JsonProperty("total_tokens") int totalTokens) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ChatChoice(int index, @Nullable Message message, @Nullable Delta delta,
            @JsonProperty("finish_reason") @Nullable String finishReason) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(@Nullable String role, @Nullable String content) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ChatResponse(String id, String object, long created, String model, List<ChatChoice> choices,
            @Nullable Usage usage) {
    }

    record TextChoice(int index, String text, @JsonProperty("finish_reason") @Nullable String finishReason) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CompletionResponse(String id, String object, long created, String model, List<TextChoice> choices,
            @Nullable Usage usage) {
    }

    record Model(String id, String object, long created, @JsonProperty("owned_by") String ownedBy) {
    }

    record ModelList(String object, List<Model> data) {
    }

    /** OpenAI's error object: {@code param} names the request field at fault, {@code code} the reason. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Error(String message, String type, @Nullable String param, @Nullable String code) {
    }

    record ErrorBody(Error error) {
    }
}
