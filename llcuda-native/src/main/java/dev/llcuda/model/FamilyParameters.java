package dev.llcuda.model;

/**
 * What a model family computes beyond llama's layer, from its metadata as llama.cpp reads
 * it. Each value means what the field of the same name in {@code llcuda_model_spec}
 * means; 0 is off (or the default there).
 *
 * @param attentionScale query scale of the attention scores (0: 1 / sqrt(head size))
 * @param attentionSoftcap scores become cap · tanh(score / cap) (gemma2)
 * @param finalSoftcap logits become cap · tanh(logit / cap) (gemma2)
 * @param embeddingScale token embeddings are multiplied by it (gemma: sqrt(n_embd))
 * @param slidingWindow positions a sliding-window layer's query sees, its own included
 * @param slidingPattern 0: every layer slides; n: of each n layers all but the last slide
 * @param slidingRopeTheta RoPE base of the sliding-window layers (0: the model's)
 * @param slidingRopeFreqScale their linear RoPE scale (0: the model's)
 */
public record FamilyParameters(float attentionScale, float attentionSoftcap, float finalSoftcap, float embeddingScale,
		int slidingWindow, int slidingPattern, float slidingRopeTheta, float slidingRopeFreqScale) {

	/** Llama's layer: nothing beyond it. */
	public static final FamilyParameters NONE = new FamilyParameters(0, 0, 0, 0, 0, 0, 0, 0);

	/**
	 * The window when every layer attends through it (then no query needs older keys),
	 * else 0.
	 */
	public int windowOfEveryLayer() {
		return slidingPattern == 0 ? slidingWindow : 0;
	}

	/** Whether layer {@code layer} attends through the sliding window. */
	public boolean layerSlides(int layer) {
		return slidingWindow > 0 && (slidingPattern == 0 || layer % slidingPattern < slidingPattern - 1);
	}
}
