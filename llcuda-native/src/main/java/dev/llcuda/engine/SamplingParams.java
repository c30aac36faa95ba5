package dev.llcuda.engine;

/**
 * How the next token is drawn (sampling runs in native code).
 *
 * @param temperature       0 or less: greedy (argmax)
 * @param topK              0 or less: off
 * @param topP              1 or more: off
 * @param minP              0 or less: off
 * @param repetitionPenalty 1: off; divides positive and multiplies negative logits of seen tokens
 * @param frequencyPenalty  0: off; subtracts count times value
 * @param presencePenalty   0: off; subtracts value once per seen token
 * @param seed              the random draw at a position depends only on the seed and the position
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repetitionPenalty,
                             float frequencyPenalty, float presencePenalty, long seed) {

    /** Argmax decoding, no penalties. */
    public static final SamplingParams GREEDY = new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0f, 0L);

    public SamplingParams {
        requireFinite("temperature", temperature);
        requireFinite("topP", topP);
        requireFinite("minP", minP);
        requireFinite("frequencyPenalty", frequencyPenalty);
        requireFinite("presencePenalty", presencePenalty);
        if (!(repetitionPenalty > 0f) || Float.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetitionPenalty must be a positive number, got " + repetitionPenalty);
        }
    }

    /** Whether the native sampler needs the sequence's token history. */
    public boolean usesPenalties() {
        return repetitionPenalty != 1f || frequencyPenalty != 0f || presencePenalty != 0f;
    }

    public SamplingParams withTemperature(float value) {
        return new SamplingParams(value, topK, topP, minP, repetitionPenalty, frequencyPenalty, presencePenalty, seed);
    }

    public SamplingParams withSeed(long value) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, frequencyPenalty, presencePenalty, value);
    }

    private static void requireFinite(String name, float value) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number, got " + value);
        }
    }
}
