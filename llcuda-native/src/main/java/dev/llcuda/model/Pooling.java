package dev.llcuda.model;

/**
 * How an encoder turns its last hidden states into one vector per input
 * ({@code <arch>.pooling_type}).
 */
public enum Pooling {

	/** Decoders: no pooled output. */
	NONE(0),
	/** The average over the input's tokens. */
	MEAN(1),
	/** The first token (CLS). */
	CLS(2),
	/** The last token. */
	LAST(3);

	private final int abiValue;

	Pooling(int abiValue) {
		this.abiValue = abiValue;
	}

	/**
	 * The {@code llcuda_pooling} value, equal to llama.cpp's {@code pooling_type} in
	 * GGUF.
	 */
	public int abiValue() {
		return abiValue;
	}

}
