package dev.llcuda.nativelib;

/**
 * {@code llcuda_sampling_params} of one sequence. The neutral values switch a stage off:
 * temperature {@code <= 0} is greedy, top-k {@code <= 0}, top-p {@code >= 1}, min-p {@code <= 0},
 * repetition penalty 1, frequency and presence penalties 0.
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repetitionPenalty,
                             float frequencyPenalty, float presencePenalty, long seed) {

    public static final SamplingParams GREEDY = new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0f, 0L);

    /** Plain sampling at {@code temperature} with {@code seed}, every filter off. */
    public static SamplingParams random(float temperature, long seed) {
        return new SamplingParams(temperature, 0, 1f, 0f, 1f, 0f, 0f, seed);
    }

    public SamplingParams withTopK(int k) {
        return new SamplingParams(temperature, k, topP, minP, repetitionPenalty, frequencyPenalty, presencePenalty,
                seed);
    }

    public SamplingParams withTopP(float p) {
        return new SamplingParams(temperature, topK, p, minP, repetitionPenalty, frequencyPenalty, presencePenalty,
                seed);
    }

    public SamplingParams withMinP(float p) {
        return new SamplingParams(temperature, topK, topP, p, repetitionPenalty, frequencyPenalty, presencePenalty,
                seed);
    }

    public SamplingParams withPenalties(float repetition, float frequency, float presence) {
        return new SamplingParams(temperature, topK, topP, minP, repetition, frequency, presence, seed);
    }

    /** Whether a penalty needs the sequence's token history. */
    public boolean usesHistory() {
        return repetitionPenalty != 1f || frequencyPenalty != 0f || presencePenalty != 0f;
    }

    void writeTo(LlcudaLibrary.SamplingParamsStruct struct) {
        struct.temperature = temperature;
        struct.top_k = topK;
        struct.top_p = topP;
        struct.min_p = minP;
        struct.repetition_penalty = repetitionPenalty;
        struct.frequency_penalty = frequencyPenalty;
        struct.presence_penalty = presencePenalty;
        struct.seed = seed;
        struct.write();
    }
}
