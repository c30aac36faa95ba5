package dev.llcuda.engine;

/**
 * One sequence of a step's batch: tokens {@code [start, start + count)} of {@code tokens}
 * at positions {@code start, start + 1, ...}, whose KV lives in {@code blockTable} (positions
 * before {@code start} are already cached). When {@code sample}, the step draws the token after
 * the last one with {@code sampling}, penalties applying to {@code tokens[0, start + count)}.
 */
public record StepSequence(int[] tokens, int start, int count, int[] blockTable, boolean sample,
                           SamplingParams sampling) {
}
