package dev.llcuda.engine;

/**
 * Counters of an {@link Engine} at one moment (totals since start).
 *
 * @param state lifecycle state
 * @param queued requests admitted but not started
 * @param running sequences in the batch
 * @param preemptedTotal preemptions (a sequence preempted twice counts twice)
 * @param kvBlocksUsed KV blocks held by sequences
 * @param kvBlocksTotal KV blocks in the cache
 * @param prefixCacheHitRate share of admitted prompt tokens found in the prefix cache
 * @param promptTokensTotal prompt tokens of started requests
 * @param generatedTokensTotal tokens generated
 * @param computedTokensTotal tokens run through the model (recomputation after preemption
 * included)
 * @param steps forward steps run
 * @param finishedTotal requests finished for any reason
 * @param stepNanosTotal time spent in the model's step calls (native forward pass and the
 * JNA call)
 * @param schedulingNanosTotal time the engine thread spent around those calls:
 * scheduling, building batches, applying sampled tokens, detokenizing and streaming
 */
public record EngineStats(Engine.State state, int queued, int running, long preemptedTotal, int kvBlocksUsed,
		int kvBlocksTotal, double prefixCacheHitRate, long promptTokensTotal, long generatedTokensTotal,
		long computedTokensTotal, long steps, long finishedTotal, long stepNanosTotal, long schedulingNanosTotal) {
}
