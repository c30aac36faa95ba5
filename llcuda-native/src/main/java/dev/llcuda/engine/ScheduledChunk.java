package dev.llcuda.engine;

/**
 * Tokens {@code [start, start + numTokens)} of one sequence to compute in a step;
 * {@code sample} when they reach the sequence's last token, so the step draws its next
 * token.
 */
record ScheduledChunk(Sequence sequence, int start, int numTokens, boolean sample) {
}
