package dev.llcuda.chat;

import dev.llcuda.engine.AdapterUse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.DefaultChatOptions;
import org.springframework.ai.chat.prompt.DefaultChatOptionsBuilder;
import org.springframework.ai.model.tool.StructuredOutputChatOptions;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;

/**
 * Chat options of llcuda: Spring AI's portable options plus min-p, the repetition penalty
 * and the seed, and the tools the model may call (with their context, for
 * {@code ChatClient}'s tool-calling advisor), and the response format (JSON mode, or a
 * JSON Schema, which is also Spring AI's native structured output:
 * {@code ChatClient.entity(...)} with
 * {@code AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT}), enforced while decoding;
 * log-probabilities, the tool choice and parallel tool calls as Spring AI's OpenAI
 * options name them. Any option left null takes the model's default (from
 * {@code spring.ai.llcuda.chat.*}).
 */
public class LlcudaChatOptions extends DefaultChatOptions
		implements ToolCallingChatOptions, StructuredOutputChatOptions {

	private final @Nullable Double minP;

	private final @Nullable Double repetitionPenalty;

	private final @Nullable Long seed;

	private final @Nullable Boolean parseSpecialInContent;

	private final @Nullable List<ToolCallback> toolCallbacks;

	private final @Nullable Map<String, Object> toolContext;

	private final @Nullable LlcudaResponseFormat responseFormat;

	private final @Nullable String adapter;

	private final @Nullable Boolean logprobs;

	private final @Nullable Integer topLogprobs;

	private final @Nullable LlcudaToolChoice toolChoice;

	private final @Nullable Boolean parallelToolCalls;

	private final @Nullable List<AdapterUse> adapters;

	protected LlcudaChatOptions(@Nullable String model, @Nullable Double frequencyPenalty, @Nullable Integer maxTokens,
			@Nullable Double presencePenalty, @Nullable List<String> stopSequences, @Nullable Double temperature,
			@Nullable Integer topK, @Nullable Double topP, @Nullable Double minP, @Nullable Double repetitionPenalty,
			@Nullable Long seed, @Nullable Boolean parseSpecialInContent, @Nullable List<ToolCallback> toolCallbacks,
			@Nullable Map<String, Object> toolContext, @Nullable LlcudaResponseFormat responseFormat,
			@Nullable String adapter, @Nullable Boolean logprobs, @Nullable Integer topLogprobs,
			@Nullable LlcudaToolChoice toolChoice, @Nullable Boolean parallelToolCalls,
			@Nullable List<AdapterUse> adapters) {
		super(model, frequencyPenalty, maxTokens, presencePenalty, stopSequences, temperature, topK, topP);
		this.adapter = adapter;
		this.adapters = adapters != null ? List.copyOf(adapters) : null;
		this.minP = minP;
		this.repetitionPenalty = repetitionPenalty;
		this.seed = seed;
		this.parseSpecialInContent = parseSpecialInContent;
		ToolCallingChatOptions.validateToolCallbacks(toolCallbacks);
		this.toolCallbacks = toolCallbacks != null ? List.copyOf(toolCallbacks) : null;
		this.toolContext = toolContext != null ? Map.copyOf(toolContext) : null;
		this.responseFormat = responseFormat;
		this.logprobs = logprobs;
		this.topLogprobs = topLogprobs;
		this.toolChoice = toolChoice;
		this.parallelToolCalls = parallelToolCalls;
	}

	public static Builder builder() {
		return new Builder();
	}

	/** Drop tokens less likely than min-p times the most likely one; 0 turns it off. */
	public @Nullable Double getMinP() {
		return this.minP;
	}

	/**
	 * Divides (or multiplies, if negative) logits of tokens seen before; 1 turns it off.
	 */
	public @Nullable Double getRepetitionPenalty() {
		return this.repetitionPenalty;
	}

	/** Seed of the random draws: the same seed and prompt give the same text. */
	public @Nullable Long getSeed() {
		return this.seed;
	}

	/**
	 * For trusted callers only: special-token texts inside the messages (such as
	 * {@code <|im_start|>}) become control tokens, as if the chat template had written
	 * them. Off (null or false) by default: only the template's markup becomes control
	 * tokens, so text a user typed cannot spoof a role.
	 */
	public @Nullable Boolean getParseSpecialInContent() {
		return this.parseSpecialInContent;
	}

	/**
	 * Tools the model may call; {@code ChatClient}'s tool-calling advisor runs the calls
	 * it makes.
	 */
	@Override
	public @Nullable List<ToolCallback> getToolCallbacks() {
		return this.toolCallbacks;
	}

	/** Passed to the tools when they are called, never to the model. */
	@Override
	public @Nullable Map<String, Object> getToolContext() {
		return this.toolContext;
	}

	/**
	 * What the answer must be (JSON mode or a JSON Schema), enforced while decoding;
	 * null: free text.
	 */
	public @Nullable LlcudaResponseFormat getResponseFormat() {
		return this.responseFormat;
	}

	/**
	 * The LoRA adapter (loaded beside the served model, {@code llcuda.model.lora.NAME})
	 * the request runs with; null: the base model alone. An adapter not loaded is refused
	 * naming it.
	 */
	public @Nullable String getAdapter() {
		return this.adapter;
	}

	/**
	 * LoRA adapters stacked on the request (at most {@link AdapterUse#MAX_STACK}), each
	 * with a factor on its scale, as llama.cpp's {@code lora: [{id, scale}]}; null: none.
	 * Set this or {@link #getAdapter()}, not both (a request with both is refused).
	 */
	public @Nullable List<AdapterUse> getAdapters() {
		return this.adapters;
	}

	/**
	 * Report each generated token's log-probability under the model's own distribution
	 * (the softmax of its raw logits, as OpenAI reports them) in the generation metadata
	 * under {@value LlcudaChatModel#LOGPROBS_METADATA}.
	 */
	public @Nullable Boolean getLogprobs() {
		return this.logprobs;
	}

	/**
	 * With {@link #getLogprobs()}: this many (0 to 20) most probable alternatives per
	 * token.
	 */
	public @Nullable Integer getTopLogprobs() {
		return this.topLogprobs;
	}

	/** Whether the model must call a tool (null: it decides). */
	public @Nullable LlcudaToolChoice getToolChoice() {
		return this.toolChoice;
	}

	/**
	 * False: at most one tool call per reply (kept by constrained decoding when calls are
	 * forced).
	 */
	public @Nullable Boolean getParallelToolCalls() {
		return this.parallelToolCalls;
	}

	/** The JSON Schema of the response format, or null. */
	@Override
	public @Nullable String getOutputSchema() {
		return this.responseFormat != null ? this.responseFormat.schema() : null;
	}

	@Override
	public Builder mutate() {
		Builder builder = builder();
		builder.model(getModel())
			.frequencyPenalty(getFrequencyPenalty())
			.maxTokens(getMaxTokens())
			.presencePenalty(getPresencePenalty())
			.stopSequences(getStopSequences())
			.temperature(getTemperature())
			.topK(getTopK())
			.topP(getTopP());
		return builder.minP(this.minP)
			.repetitionPenalty(this.repetitionPenalty)
			.seed(this.seed)
			.parseSpecialInContent(this.parseSpecialInContent)
			.toolCallbacks(this.toolCallbacks)
			.toolContext(this.toolContext)
			.responseFormat(this.responseFormat)
			.adapter(this.adapter)
			.logprobs(this.logprobs)
			.topLogprobs(this.topLogprobs)
			.toolChoice(this.toolChoice)
			.parallelToolCalls(this.parallelToolCalls)
			.adapters(this.adapters);
	}

	/**
	 * These options over {@code defaults}: each option set here wins, each one left null
	 * takes the default's value.
	 */
	public LlcudaChatOptions overriding(LlcudaChatOptions defaults) {
		return defaults.mutate().combineWith(mutate()).build();
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return other instanceof LlcudaChatOptions that && super.equals(other) && Objects.equals(this.minP, that.minP)
				&& Objects.equals(this.repetitionPenalty, that.repetitionPenalty)
				&& Objects.equals(this.seed, that.seed)
				&& Objects.equals(this.parseSpecialInContent, that.parseSpecialInContent)
				&& Objects.equals(this.toolCallbacks, that.toolCallbacks)
				&& Objects.equals(this.toolContext, that.toolContext)
				&& Objects.equals(this.responseFormat, that.responseFormat)
				&& Objects.equals(this.adapter, that.adapter) && Objects.equals(this.logprobs, that.logprobs)
				&& Objects.equals(this.topLogprobs, that.topLogprobs)
				&& Objects.equals(this.toolChoice, that.toolChoice)
				&& Objects.equals(this.parallelToolCalls, that.parallelToolCalls)
				&& Objects.equals(this.adapters, that.adapters);
	}

	@Override
	public int hashCode() {
		return Objects.hash(super.hashCode(), this.minP, this.repetitionPenalty, this.seed, this.parseSpecialInContent,
				this.toolCallbacks, this.toolContext, this.responseFormat, this.adapter, this.logprobs,
				this.topLogprobs, this.toolChoice, this.parallelToolCalls, this.adapters);
	}

	@Override
	public String toString() {
		return "LlcudaChatOptions[temperature=" + getTemperature() + ", topK=" + getTopK() + ", topP=" + getTopP()
				+ ", minP=" + this.minP + ", maxTokens=" + getMaxTokens() + ", stop=" + getStopSequences()
				+ ", frequencyPenalty=" + getFrequencyPenalty() + ", presencePenalty=" + getPresencePenalty()
				+ ", repetitionPenalty=" + this.repetitionPenalty + ", seed=" + this.seed + ", parseSpecialInContent="
				+ this.parseSpecialInContent + ", tools=" + (this.toolCallbacks != null ? this.toolCallbacks.size() : 0)
				+ ", responseFormat=" + this.responseFormat + ", adapter=" + this.adapter + ", adapters="
				+ this.adapters + ", logprobs=" + this.logprobs + ", topLogprobs=" + this.topLogprobs + ", toolChoice="
				+ this.toolChoice + ", parallelToolCalls=" + this.parallelToolCalls + "]";
	}

	/**
	 * Builds {@link LlcudaChatOptions}; combining with another builder takes its non-null
	 * options and, as Spring AI's own options do, adds its stop sequences, tools and tool
	 * context to these.
	 */
	public static class Builder extends DefaultChatOptionsBuilder<Builder>
			implements ToolCallingChatOptions.Builder<Builder>, StructuredOutputChatOptions.Builder<Builder> {

		private @Nullable Double minP;

		private @Nullable Double repetitionPenalty;

		private @Nullable Long seed;

		private @Nullable Boolean parseSpecialInContent;

		private @Nullable List<ToolCallback> toolCallbacks;

		private @Nullable Map<String, Object> toolContext;

		private @Nullable LlcudaResponseFormat responseFormat;

		private @Nullable String adapter;

		private @Nullable Boolean logprobs;

		private @Nullable Integer topLogprobs;

		private @Nullable LlcudaToolChoice toolChoice;

		private @Nullable Boolean parallelToolCalls;

		private @Nullable List<AdapterUse> adapters;

		public Builder logprobs(@Nullable Boolean logprobs) {
			this.logprobs = logprobs;
			return self();
		}

		public Builder topLogprobs(@Nullable Integer topLogprobs) {
			this.topLogprobs = topLogprobs;
			return self();
		}

		public Builder toolChoice(@Nullable LlcudaToolChoice toolChoice) {
			this.toolChoice = toolChoice;
			return self();
		}

		public Builder parallelToolCalls(@Nullable Boolean parallelToolCalls) {
			this.parallelToolCalls = parallelToolCalls;
			return self();
		}

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

		/**
		 * See {@link LlcudaChatOptions#getParseSpecialInContent()}: for trusted callers
		 * only.
		 */
		public Builder parseSpecialInContent(@Nullable Boolean parseSpecialInContent) {
			this.parseSpecialInContent = parseSpecialInContent;
			return self();
		}

		public Builder responseFormat(@Nullable LlcudaResponseFormat responseFormat) {
			this.responseFormat = responseFormat;
			return self();
		}

		/** See {@link LlcudaChatOptions#getAdapter()}. */
		public Builder adapter(@Nullable String adapter) {
			this.adapter = adapter;
			return self();
		}

		/** See {@link LlcudaChatOptions#getAdapters()}. */
		public Builder adapters(@Nullable List<AdapterUse> adapters) {
			this.adapters = adapters;
			return self();
		}

		/**
		 * Spring AI's native structured output: the answer is one JSON value valid
		 * against {@code outputSchema}.
		 */
		@Override
		public Builder outputSchema(@Nullable String outputSchema) {
			this.responseFormat = outputSchema != null ? LlcudaResponseFormat.jsonSchema(outputSchema) : null;
			return self();
		}

		@Override
		public Builder toolCallbacks(@Nullable List<ToolCallback> toolCallbacks) {
			this.toolCallbacks = toolCallbacks != null ? new ArrayList<>(toolCallbacks) : null;
			return self();
		}

		@Override
		public Builder toolCallbacks(ToolCallback... toolCallbacks) {
			return toolCallbacks(List.of(toolCallbacks));
		}

		/**
		 * Adds {@code context} to the tool context; null clears it, as in Spring AI's own
		 * options.
		 */
		@Override
		public Builder toolContext(@Nullable Map<String, Object> context) {
			if (context == null) {
				this.toolContext = null;
				return self();
			}
			Map<String, Object> merged = this.toolContext != null ? new HashMap<>(this.toolContext) : new HashMap<>();
			merged.putAll(context);
			this.toolContext = merged;
			return self();
		}

		@Override
		public Builder toolContext(String key, Object value) {
			return toolContext(Map.of(key, value));
		}

		@Override
		public Builder clone() {
			Builder copy = super.clone();
			copy.toolCallbacks = this.toolCallbacks != null ? new ArrayList<>(this.toolCallbacks) : null;
			copy.toolContext = this.toolContext != null ? new HashMap<>(this.toolContext) : null;
			return copy;
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
				if (that.adapter != null || that.adapters != null) { // the adapter choice
																		// wins as a whole
					this.adapter = that.adapter;
					this.adapters = that.adapters;
				}
				this.parseSpecialInContent = that.parseSpecialInContent != null ? that.parseSpecialInContent
						: this.parseSpecialInContent;
				this.logprobs = that.logprobs != null ? that.logprobs : this.logprobs;
				this.topLogprobs = that.topLogprobs != null ? that.topLogprobs : this.topLogprobs;
				this.toolChoice = that.toolChoice != null ? that.toolChoice : this.toolChoice;
				this.parallelToolCalls = that.parallelToolCalls != null ? that.parallelToolCalls
						: this.parallelToolCalls;
			}
			if (other.build() instanceof ToolCallingChatOptions tools) {
				List<ToolCallback> callbacks = tools.getToolCallbacks();
				if (callbacks != null) {
					List<ToolCallback> merged = this.toolCallbacks != null ? new ArrayList<>(this.toolCallbacks)
							: new ArrayList<>();
					merged.addAll(callbacks);
					this.toolCallbacks = merged;
				}
				Map<String, Object> context = tools.getToolContext();
				if (context != null) {
					toolContext(context);
				}
			}
			return self();
		}

		@Override
		public LlcudaChatOptions build() {
			return new LlcudaChatOptions(this.model, this.frequencyPenalty, this.maxTokens, this.presencePenalty,
					this.stopSequences, this.temperature, this.topK, this.topP, this.minP, this.repetitionPenalty,
					this.seed, this.parseSpecialInContent, this.toolCallbacks, this.toolContext, this.responseFormat,
					this.adapter, this.logprobs, this.topLogprobs, this.toolChoice, this.parallelToolCalls,
					this.adapters);
		}

	}

}
