package dev.llcuda.engine;

/**
 * Per-step limits of the {@link Scheduler}.
 *
 * @param maxRunningSequences most sequences holding KV blocks at once (the batch's sequences)
 * @param maxTokensPerStep    token budget of one step: decode tokens plus prompt chunk tokens
 */
record SchedulerLimits(int maxRunningSequences, int maxTokensPerStep) {

    SchedulerLimits {
        if (maxRunningSequences <= 0) {
            throw new IllegalArgumentException("max running sequences must be positive, got " + maxRunningSequences);
        }
        if (maxTokensPerStep <= 0) {
            throw new IllegalArgumentException("max tokens per step must be positive, got " + maxTokensPerStep);
        }
    }
}
