package dev.llcuda.chat;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.DefaultChatOptions;
import org.springframework.ai.chat.prompt.DefaultChatOptionsBuilder;

/**
 * Chat options of llcuda: Spring AI's portable options plus min-p, the repetition penalty and the
 * seed. Any option left null takes the model's default (from {@code llcuda.chat.options.*}).
 */
public class LlcudaChatOptions extends DefaultChatOptions {

    private final @Nullable Double minP;

    private final @Nullable Double repetitionPenalty;

    private final @Nullable Long seed;

    private final @Nullable Boolean parseSpecialInContent;

    protected LlcudaChatOptions(@Nullable String model, @Nullable Double frequencyPenalty, @Nullable Integer maxTokens,
            @Nullable Double presencePenalty, @Nullable List<String> stopSequences, @Nullable Double temperature,
            @Nullable Integer topK, @Nullable Double topP, @Nullable Double minP, @Nullable Double repetitionPenalty,
            @Nullable Long seed, @Nullable Boolean parseSpecialInContent) {
        super(model, frequencyPenalty, maxTokens, presencePenalty, stopSequences, temperature, topK, topP);
        this.minP = minP;
        this.repetitionPenalty = repetitionPenalty;
        this.seed = seed;
        this.parseSpecialInContent = parseSpecialInContent;
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

    /**
     * For trusted callers only: special-token texts inside the messages (such as
     * {@code <|im_start|>}) become control tokens, as if the chat template had written them. Off
     * (null or false) by default: only the template's markup becomes control tokens, so text a user
     * typed cannot spoof a role.
     */
    public @Nullable Boolean getParseSpecialInContent() {
        return this.parseSpecialInContent;
    }

    @Override
    public Builder mutate() {
        Builder builder = builder();
        builder.model(getModel()).frequencyPenalty(getFrequencyPenalty()).maxTokens(getMaxTokens())
                .presencePenalty(getPresencePenalty()).stopSequences(getStopSequences())
                .temperature(getTemperature()).topK(getTopK()).topP(getTopP());
        return builder.minP(this.minP).repetitionPenalty(this.repetitionPenalty).seed(this.seed)
                .parseSpecialInContent(this.parseSpecialInContent);
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
                && Objects.equals(this.parseSpecialInContent, that.parseSpecialInContent);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), this.minP, this.repetitionPenalty, this.seed,
                this.parseSpecialInContent);
    }

    @Override
    public String toString() {
        return "LlcudaChatOptions[temperature=" + getTemperature() + ", topK=" + getTopK() + ", topP=" + getTopP()
                + ", minP=" + this.minP + ", maxTokens=" + getMaxTokens() + ", stop=" + getStopSequences()
                + ", frequencyPenalty=" + getFrequencyPenalty() + ", presencePenalty=" + getPresencePenalty()
                + ", repetitionPenalty=" + this.repetitionPenalty + ", seed=" + this.seed
                + ", parseSpecialInContent=" + this.parseSpecialInContent + "]";
    }

    /** Builds {@link LlcudaChatOptions}; combining with another builder takes its non-null options. */
    public static class Builder extends DefaultChatOptionsBuilder<Builder> {

        private @Nullable Double minP;

        private @Nullable Double repetitionPenalty;

        private @Nullable Long seed;

        private @Nullable Boolean parseSpecialInContent;

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

        /** See {@link LlcudaChatOptions#getParseSpecialInContent()}: for trusted callers only. */
        public Builder parseSpecialInContent(@Nullable Boolean parseSpecialInContent) {
            this.parseSpecialInContent = parseSpecialInContent;
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
                this.parseSpecialInContent = that.parseSpecialInContent != null ? that.parseSpecialInContent
                        : this.parseSpecialInContent;
            }
            return self();
        }

        @Override
        public LlcudaChatOptions build() {
            return new LlcudaChatOptions(this.model, this.frequencyPenalty, this.maxTokens, this.presencePenalty,
                    this.stopSequences, this.temperature, this.topK, this.topP, this.minP, this.repetitionPenalty,
                    this.seed, this.parseSpecialInContent);
        }
    }
}
