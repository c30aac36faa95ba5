package dev.llcuda.engine;

import dev.llcuda.nativelib.NativeSampling;

/**
 * How the next token is drawn (sampling runs in native code). Every instance is valid:
 * the constructor checks the ranges the native step checks
 * ({@code llcuda_sampling_params} in {@code llcuda.h}) and throws
 * {@link InvalidRequestException} naming the field, its value and the allowed range. The
 * {@code DEFAULT_*} constants are the defaults of every entry point (configuration
 * properties, chat options, the service and the command-line tool).
 *
 * @param temperature finite, at least 0; 0: greedy (argmax)
 * @param topK at least 0; 0: off
 * @param topP in (0, 1]; 1: off
 * @param minP in [0, 1]; 0: off
 * @param repetitionPenalty finite, above 0; 1: off; divides positive and multiplies
 * negative logits of seen tokens
 * @param frequencyPenalty finite; 0: off; subtracts count times value
 * @param presencePenalty finite; 0: off; subtracts value once per seen token
 * @param seed the random draw at a position depends only on the seed and the position
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repetitionPenalty,
		float frequencyPenalty, float presencePenalty, long seed) implements NativeSampling {

	public static final double DEFAULT_TEMPERATURE = 0.8;

	public static final int DEFAULT_TOP_K = 40;

	public static final double DEFAULT_TOP_P = 0.95;

	public static final double DEFAULT_MIN_P = 0.05;

	public static final double DEFAULT_REPETITION_PENALTY = 1.0;

	public static final double DEFAULT_FREQUENCY_PENALTY = 0.0;

	public static final double DEFAULT_PRESENCE_PENALTY = 0.0;

	/** Argmax decoding, no penalties. */
	public static final SamplingParams GREEDY = new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0f, 0L);

	public SamplingParams {
		if (!Float.isFinite(temperature) || temperature < 0f) {
			throw InvalidRequestException.outOfRange("temperature", temperature, "finite and >= 0 (0: greedy)");
		}
		if (topK < 0) {
			throw InvalidRequestException.outOfRange("top_k", topK, ">= 0 (0: off)");
		}
		if (!(topP > 0f && topP <= 1f)) {
			throw InvalidRequestException.outOfRange("top_p", topP, "in (0, 1] (1: off)");
		}
		if (!(minP >= 0f && minP <= 1f)) {
			throw InvalidRequestException.outOfRange("min_p", minP, "in [0, 1] (0: off)");
		}
		if (!Float.isFinite(repetitionPenalty) || repetitionPenalty <= 0f) {
			throw InvalidRequestException.outOfRange("repetition_penalty", repetitionPenalty,
					"finite and > 0 (1: off)");
		}
		if (!Float.isFinite(frequencyPenalty)) {
			throw InvalidRequestException.outOfRange("frequency_penalty", frequencyPenalty, "finite (0: off)");
		}
		if (!Float.isFinite(presencePenalty)) {
			throw InvalidRequestException.outOfRange("presence_penalty", presencePenalty, "finite (0: off)");
		}
	}

	/**
	 * The defaults (temperature, top-k, top-p, min-p; penalties off) with {@code seed}.
	 */
	public static SamplingParams defaults(long seed) {
		return new SamplingParams((float) DEFAULT_TEMPERATURE, DEFAULT_TOP_K, (float) DEFAULT_TOP_P,
				(float) DEFAULT_MIN_P, (float) DEFAULT_REPETITION_PENALTY, (float) DEFAULT_FREQUENCY_PENALTY,
				(float) DEFAULT_PRESENCE_PENALTY, seed);
	}

	/**
	 * Plain sampling at {@code temperature} with {@code seed}, every filter and penalty
	 * off.
	 */
	public static SamplingParams random(float temperature, long seed) {
		return new SamplingParams(temperature, 0, 1f, 0f, 1f, 0f, 0f, seed);
	}

	/** Whether the native sampler needs the sequence's token history. */
	public boolean usesPenalties() {
		return repetitionPenalty != 1f || frequencyPenalty != 0f || presencePenalty != 0f;
	}

	public SamplingParams withTemperature(float value) {
		return new SamplingParams(value, topK, topP, minP, repetitionPenalty, frequencyPenalty, presencePenalty, seed);
	}

	public SamplingParams withSeed(long value) {
		return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, frequencyPenalty, presencePenalty,
				value);
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
}
