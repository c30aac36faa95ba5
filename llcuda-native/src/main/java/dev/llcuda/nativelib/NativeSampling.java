package dev.llcuda.nativelib;

/**
 * The fields of one sequence's {@code llcuda_sampling_params}, as {@link Batch} writes
 * them into native memory. The engine's {@code SamplingParams} record implements it
 * (validated there); the native step checks the same ranges again.
 */
public interface NativeSampling {

	float temperature();

	int topK();

	float topP();

	float minP();

	float repetitionPenalty();

	float frequencyPenalty();

	float presencePenalty();

	long seed();

}
