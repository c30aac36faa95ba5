package dev.llcuda.engine;

import dev.llcuda.grammar.TokenMasks;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One generation job for the {@link Engine}.
 *
 * @param promptTokens token ids of the rendered prompt (BOS included when the model wants
 * one)
 * @param sampling how tokens are drawn
 * @param maxTokens most tokens to generate (the context may end it earlier)
 * @param stopStrings generation ends before the first occurrence of any; that text is
 * never emitted
 * @param deadline when set, the request is cancelled at the first step after it
 * @param constraint when set, every generated token keeps the output valid under its
 * grammar (constrained decoding: masks over the model's vocabulary,
 * {@code Constraints.masks})
 * @param adapters the LoRA adapters (loaded with the model) the request runs with,
 * stacked, each with a factor on its scale; empty: the base model alone
 * @param topLogprobs {@link #NO_LOGPROBS}, or 0 to {@link #MAX_TOP_LOGPROBS}: every
 * generated token's log-probability under the model's own distribution and this many most
 * probable alternatives ({@link GenerationResult#logprobs()},
 * {@link TokenPiece#logprobs()})
 */
public record GenerationRequest(int[] promptTokens, SamplingParams sampling, int maxTokens, List<String> stopStrings,
		Optional<Instant> deadline, Optional<TokenMasks> constraint, List<AdapterUse> adapters, int topLogprobs) {

	/** {@link #topLogprobs()} of a request without log-probabilities. */
	public static final int NO_LOGPROBS = -1;

	/** Most alternatives per token (OpenAI's bound of {@code top_logprobs}). */
	public static final int MAX_TOP_LOGPROBS = 20;

	/** Without a constraint or log-probabilities. */
	public GenerationRequest(int[] promptTokens, SamplingParams sampling, int maxTokens, List<String> stopStrings,
			Optional<Instant> deadline) {
		this(promptTokens, sampling, maxTokens, stopStrings, deadline, Optional.empty());
	}

	/** On the base model alone, without log-probabilities. */
	public GenerationRequest(int[] promptTokens, SamplingParams sampling, int maxTokens, List<String> stopStrings,
			Optional<Instant> deadline, Optional<TokenMasks> constraint) {
		this(promptTokens, sampling, maxTokens, stopStrings, deadline, constraint, List.of(), NO_LOGPROBS);
	}

	/**
	 * Most tokens generated per request unless the caller says otherwise (every entry
	 * point's default).
	 */
	public static final int DEFAULT_MAX_TOKENS = 512;

	/**
	 * @throws InvalidRequestException naming what is wrong with the request
	 */
	public GenerationRequest {
		if (promptTokens == null || promptTokens.length == 0) {
			throw new InvalidRequestException("the prompt must hold at least one token");
		}
		if (maxTokens < 1) {
			throw InvalidRequestException.outOfRange("max_tokens", maxTokens, ">= 1");
		}
		if (topLogprobs != NO_LOGPROBS && (topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS)) {
			throw InvalidRequestException.outOfRange("top_logprobs", topLogprobs, "in [0, " + MAX_TOP_LOGPROBS + "]");
		}
		if (adapters.size() > AdapterUse.MAX_STACK) {
			throw InvalidRequestException.outOfRange("the number of stacked adapters", adapters.size(),
					"at most " + AdapterUse.MAX_STACK);
		}
		if (adapters.stream().map(AdapterUse::name).distinct().count() != adapters.size()) {
			throw new InvalidRequestException("an adapter is stacked twice: " + adapters);
		}
		promptTokens = promptTokens.clone();
		stopStrings = List.copyOf(stopStrings);
		adapters = List.copyOf(adapters);
		for (String stop : stopStrings) {
			if (stop.isEmpty()) {
				throw new InvalidRequestException("stop sequences must not be empty");
			}
		}
	}

	/** Greedy, no stop strings, no deadline. */
	public static GenerationRequest greedy(int[] promptTokens, int maxTokens) {
		return new GenerationRequest(promptTokens, SamplingParams.GREEDY, maxTokens, List.of(), Optional.empty());
	}

	public GenerationRequest withStopStrings(List<String> stops) {
		return new GenerationRequest(promptTokens, sampling, maxTokens, stops, deadline, constraint, adapters,
				topLogprobs);
	}

	public GenerationRequest withDeadline(Instant when) {
		return new GenerationRequest(promptTokens, sampling, maxTokens, stopStrings, Optional.of(when), constraint,
				adapters, topLogprobs);
	}

	public GenerationRequest withConstraint(TokenMasks masks) {
		return new GenerationRequest(promptTokens, sampling, maxTokens, stopStrings, deadline, Optional.of(masks),
				adapters, topLogprobs);
	}

	/** Runs with the LoRA adapter loaded under {@code name}, as loaded. */
	public GenerationRequest withAdapter(String name) {
		return withAdapters(List.of(new AdapterUse(name, 1f)));
	}

	/**
	 * Runs with the LoRA adapters stacked, each with its factor (empty: the base model
	 * alone).
	 */
	public GenerationRequest withAdapters(List<AdapterUse> uses) {
		return new GenerationRequest(promptTokens, sampling, maxTokens, stopStrings, deadline, constraint, uses,
				topLogprobs);
	}

	/**
	 * Reports every generated token's log-probability and {@code top} (0 to 20)
	 * alternatives.
	 */
	public GenerationRequest withLogprobs(int top) {
		return new GenerationRequest(promptTokens, sampling, maxTokens, stopStrings, deadline, constraint, adapters,
				top);
	}

	@Override
	public int[] promptTokens() {
		return promptTokens.clone();
	}
}
