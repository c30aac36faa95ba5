package dev.llcuda.model;

/**
 * How rotary position embedding pairs the dimensions of a head (values as in llcuda.h).
 */
public enum RopeType {

	/** Pairs (2i, 2i+1), as llama does. */
	NORMAL(0),
	/** Pairs (i, i + d/2), as qwen2 (GPT-NeoX) does. */
	NEOX(2);

	private final int abiValue;

	RopeType(int abiValue) {
		this.abiValue = abiValue;
	}

	/** The {@code llcuda_rope_type} value. */
	public int abiValue() {
		return abiValue;
	}

}
