package dev.llcuda.engine;

import java.util.Arrays;

/**
 * The model's log-probabilities at one generated token, as OpenAI's {@code logprobs}
 * report them: the log-softmax of the raw logits (before any constraint mask, penalty,
 * temperature or filter).
 *
 * @param token the generated token
 * @param logprob its log-probability
 * @param topTokens the most probable tokens, most probable first (as many as the request
 * asked for)
 * @param topLogprobs their log-probabilities
 */
public record TokenLogprobs(int token, float logprob, int[] topTokens, float[] topLogprobs) {

	public TokenLogprobs {
		if (topTokens.length != topLogprobs.length) {
			throw new IllegalArgumentException(
					topTokens.length + " top tokens but " + topLogprobs.length + " log-probabilities");
		}
		topTokens = topTokens.clone();
		topLogprobs = topLogprobs.clone();
	}

	@Override
	public int[] topTokens() {
		return topTokens.clone();
	}

	@Override
	public float[] topLogprobs() {
		return topLogprobs.clone();
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof TokenLogprobs o && token == o.token && Float.compare(logprob, o.logprob) == 0
				&& Arrays.equals(topTokens, o.topTokens) && Arrays.equals(topLogprobs, o.topLogprobs);
	}

	@Override
	public int hashCode() {
		return 31 * (31 * Integer.hashCode(token) + Float.hashCode(logprob)) + Arrays.hashCode(topTokens);
	}

	@Override
	public String toString() {
		return "TokenLogprobs[token=" + token + ", logprob=" + logprob + ", top=" + Arrays.toString(topTokens) + "]";
	}
}
