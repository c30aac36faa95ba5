package dev.llcuda.engine;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One sequence of a step's batch: tokens {@code [start, start + count)} of {@code tokens}
 * at positions {@code start, start + 1, ...}, whose KV lives in {@code blockTable}
 * (positions before {@code start} are already cached). When {@code sample}, the step
 * draws the token after the last one with {@code sampling}, penalties applying to
 * {@code tokens[0, start + count)}, among the tokens {@code allowedTokens} allows (bit t
 * of word t / 32; null: every token), through the LoRA adapters {@code adapters}, stacked
 * (empty: the base model alone). With {@code topLogprobs} other than
 * {@link GenerationRequest#NO_LOGPROBS}, the step also reports the drawn token's
 * log-probabilities with that many alternatives.
 */
public record StepSequence(int[] tokens, int start, int count, int[] blockTable, boolean sample,
		SamplingParams sampling, int @Nullable [] allowedTokens, List<AdapterUse> adapters, int topLogprobs) {

	/** Unconstrained, without log-probabilities. */
	public StepSequence(int[] tokens, int start, int count, int[] blockTable, boolean sample, SamplingParams sampling) {
		this(tokens, start, count, blockTable, sample, sampling, null);
	}

	/** On the base model alone, without log-probabilities. */
	public StepSequence(int[] tokens, int start, int count, int[] blockTable, boolean sample, SamplingParams sampling,
			int @Nullable [] allowedTokens) {
		this(tokens, start, count, blockTable, sample, sampling, allowedTokens, List.of(),
				GenerationRequest.NO_LOGPROBS);
	}

	/** Whether the step reports this sequence's log-probabilities. */
	public boolean wantsLogprobs() {
		return sample && topLogprobs != GenerationRequest.NO_LOGPROBS;
	}
}
