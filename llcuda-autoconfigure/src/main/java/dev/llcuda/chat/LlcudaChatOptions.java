package dev.llcuda.chat;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.DefaultChatOptions;
import org.springframework.ai.chat.prompt.DefaultChatOptionsBuilder;
import org.springframework.ai.model.tool.StructuredOutputChatOptions;

/**
 * Chat options of llcuda: Spring AI's portable options plus min-p, the repetition penalty and the
 * seed. Any option left null takes the model's default (from {@code llcuda.chat.options.*}).
 * The response format (JSON mode, or a JSON Schema, which is also Spring AI's native structured
 * output: {@code ChatClient.entity(...)} with {@code AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT})
 * is enforced while decoding.
 */
public class LlcudaChatOptions extends DefaultChatOptions implements StructuredOutputChatOptions {

    private final @Nullable Double minP;

    private final @Nullable Double repetitionPenalty;

    private final @Nullable Long seed;

    private @Nullable LlcudaResponseFormat responseFormat;

    protected LlcudaChatOptions(@Nullable String model, @Nullable Double frequencyPenalty, @Nullable Integer maxTokens,
            @Nullable Double presencePenalty, @Nullable List<String> stopSequences, @Nullable Double temperature,
            @Nullable Integer topK, @Nullable Double topP, @Nullable Double minP, @Nullable Double repetitionPenalty,
            @Nullable Long seed) {
        super(model, frequencyPenalty, maxTokens, presencePenalty, stopSequences, temperature, topK, topP);
        this.minP = minP;
        this.repetitionPenalty = repetitionPenalty;
        this.seed = seed;
    }

    protected LlcudaChatOptions(@Nullable String model, @Nullable Double frequencyPenalty, @Nullable Integer maxTokens,
            @Nullable Double presencePenalty, @Nullable List<String> stopSequences, @Nullable Double temperature,
            @Nullable Integer topK, @Nullable Double topP, @Nullable Double minP, @Nullable Double repetitionPenalty,
            @Nullable Long seed, @Nullable LlcudaResponseFormat responseFormat) {
        this(model, frequencyPenalty, maxTokens, presencePenalty, stopSequences, temperature, topK, topP, minP,
                repetitionPenalty, seed);
        this.responseFormat = responseFormat;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Drop tokens less likely than min-p times the most likely one; 0 turns it off. */
    public @Nullable Double getMinP() {
        return this.minP;
    }

    /** Divides (or multiplies, if negative) logits of tokens seen before; 1 turns it off. */
    public @Nullable Double getRepetitionPenalty() {
        return this.repetitionPenalty;
    }

    /** Seed of the random draws: the same seed and prompt give the same text. */
    public @Nullable Long getSeed() {
        return this.seed;
    }

    /** What the answer must be (JSON mode or a JSON Schema), enforced while decoding; null: free text. */
    public @Nullable LlcudaResponseFormat getResponseFormat() {
        return this.responseFormat;
    }

    /** The JSON Schema of the response format, or null. */
    @Override
    public @Nullable String getOutputSchema() {
        return this.responseFormat != null ? this.responseFormat.schema() : null;
    }

    @Override
    public Builder mutate() {
        Builder builder = builder();
        builder.model(getModel()).frequencyPenalty(getFrequencyPenalty()).maxTokens(getMaxTokens())
                .presencePenalty(getPresencePenalty()).stopSequences(getStopSequences())
                .temperature(getTemperature()).topK(getTopK()).topP(getTopP());
        return builder.minP(this.minP).repetitionPenalty(this.repetitionPenalty).seed(this.seed)
                .responseFormat(this.responseFormat);
    }

    /**
     * These options over {@code defaults}: each option set here wins, each one left null takes
     * the default's value.
     */
    public LlcudaChatOptions overriding(LlcudaChatOptions defaults) {
        return defaults.mutate().combineWith(mutate()).build();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LlcudaChatOptions that && super.equals(other) && Objects.equals(this.minP, that.minP)
                && Objects.equals(this.repetitionPenalty, that.repetitionPenalty) && Objects.equals(this.seed, that.seed)
                && Objects.equals(this.responseFormat, that.responseFormat);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), this.minP, this.repetitionPenalty, this.seed, this.responseFormat);
    }

    @Override
    public String toString() {
        return "LlcudaChatOptions[temperature=" + getTemperature() + ", topK=" + getTopK() + ", topP=" + getTopP()
                + ", minP=" + this.minP + ", maxTokens=" + getMaxTokens() + ", stop=" + getStopSequences()
                + ", frequencyPenalty=" + getFrequencyPenalty() + ", presencePenalty=" + getPresencePenalty()
                + ", repetitionPenalty=" + this.repetitionPenalty + ", seed=" + this.seed + ", responseFormat="
                + this.responseFormat + "]";
    }

    /** Builds {@link LlcudaChatOptions}; combining with another builder takes its non-null options. */
    public static class Builder extends DefaultChatOptionsBuilder<Builder>
            implements StructuredOutputChatOptions.Builder<Builder> {

        private @Nullable Double minP;

        private @Nullable Double repetitionPenalty;

        private @Nullable Long seed;

        private @Nullable LlcudaResponseFormat responseFormat;

        public Builder minP(@Nullable Double minP) {
            this.minP = minP;
            return self();
        }

        public Builder repetitionPenalty(@Nullable Double repetitionPenalty) {
            this.repetitionPenalty = repetitionPenalty;
            return self();
        }

        public Builder seed(@Nullable Long seed) {
            this.seed = seed;
            return self();
        }

        public Builder responseFormat(@Nullable LlcudaResponseFormat responseFormat) {
            this.responseFormat = responseFormat;
            return self();
        }

        /** Spring AI's native structured output: the answer is one JSON value valid against {@code outputSchema}. */
        @Override
        public Builder outputSchema(@Nullable String outputSchema) {
            this.responseFormat = outputSchema != null ? LlcudaResponseFormat.jsonSchema(outputSchema) : null;
            return self();
        }

        @Override
        public Builder combineWith(ChatOptions.Builder<?> other) {
            super.combineWith(other);
            if (other instanceof Builder that) {
                this.minP = that.minP != null ? that.minP : this.minP;
                this.repetitionPenalty = that.repetitionPenalty != null ? that.repetitionPenalty
                        : this.repetitionPenalty;
                this.seed = that.seed != null ? that.seed : this.seed;
                this.responseFormat = that.responseFormat != null ? that.responseFormat : this.responseFormat;
            }
            return self();
        }

        @Override
        public LlcudaChatOptions build() {
            return new LlcudaChatOptions(this.model, this.frequencyPenalty, this.maxTokens, this.presencePenalty,
                    this.stopSequences, this.temperature, this.topK, this.topP, this.minP, this.repetitionPenalty,
                    this.seed, this.responseFormat);
        }
    }
}
