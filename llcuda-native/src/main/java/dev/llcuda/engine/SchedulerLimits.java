package dev.llcuda.engine;

/**
 * Per-step limits of the {@link Scheduler}.
 *
 * @param maxRunningSequences most sequences holding KV blocks at once (the batch's
 * sequences)
 * @param maxTokensPerStep token budget of one step: decode tokens plus prompt chunk
 * tokens
 */
record SchedulerLimits(int maxRunningSequences, int maxTokensPerStep) {

	SchedulerLimits {
		if (maxRunningSequences <= 0) {
			throw new IllegalArgumentException("max running sequences must be positive, got " + maxRunningSequences);
		}
		if (maxTokensPerStep < maxRunningSequences) {
			// Otherwise the running sequences at the back of the batch would never get a
			// decode token.
			throw new IllegalArgumentException("max tokens per step (" + maxTokensPerStep
					+ ") must be at least max running sequences (" + maxRunningSequences + ")");
		}
	}
}
