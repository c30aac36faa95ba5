package dev.llcuda.engine;

import java.util.Set;

/**
 * Limits and collaborators of an {@link Engine}.
 *
 * @param maxRunningSequences most sequences in one batch (holding KV blocks at once)
 * @param maxTokensPerStep token budget of one step (decode tokens plus prompt chunks)
 * @param maxQueuedRequests most admitted requests waiting to start; more are rejected at
 * once
 * @param prefixCaching reuse the KV blocks of identical prompt prefixes
 * @param endOfGeneration token ids that end generation (EOS, end-of-turn), from the
 * tokenizer
 * @param decoder detokenizer for streamed text
 * @param listener latency samples
 */
public record EngineConfig(int maxRunningSequences, int maxTokensPerStep, int maxQueuedRequests, boolean prefixCaching,
		Set<Integer> endOfGeneration, TokenDecoder decoder, EngineListener listener) {

	public EngineConfig {
		if (maxQueuedRequests < 0) {
			throw new IllegalArgumentException("max queued requests must not be negative, got " + maxQueuedRequests);
		}
		new SchedulerLimits(maxRunningSequences, maxTokensPerStep);
		endOfGeneration = Set.copyOf(endOfGeneration);
	}

	/** 64 sequences, 512 tokens per step, 256 queued requests, prefix caching on. */
	public static EngineConfig defaults(TokenDecoder decoder, Set<Integer> endOfGeneration) {
		return new EngineConfig(64, 512, 256, true, endOfGeneration, decoder, EngineListener.NONE);
	}

	public EngineConfig withLimits(int runningSequences, int tokensPerStep, int queuedRequests) {
		return new EngineConfig(runningSequences, tokensPerStep, queuedRequests, prefixCaching, endOfGeneration,
				decoder, listener);
	}

	public EngineConfig withPrefixCaching(boolean enabled) {
		return new EngineConfig(maxRunningSequences, maxTokensPerStep, maxQueuedRequests, enabled, endOfGeneration,
				decoder, listener);
	}

	/**
	 * Generation then ends only at max tokens, the context or a stop string (benchmarks).
	 */
	public EngineConfig withEndOfGeneration(Set<Integer> ids) {
		return new EngineConfig(maxRunningSequences, maxTokensPerStep, maxQueuedRequests, prefixCaching, ids, decoder,
				listener);
	}

	public EngineConfig withListener(EngineListener value) {
		return new EngineConfig(maxRunningSequences, maxTokensPerStep, maxQueuedRequests, prefixCaching,
				endOfGeneration, decoder, value);
	}

	SchedulerLimits schedulerLimits() {
		return new SchedulerLimits(maxRunningSequences, maxTokensPerStep);
	}
}
