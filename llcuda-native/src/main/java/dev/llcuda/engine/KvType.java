package dev.llcuda.engine;

/** Element type of the KV cache (values as in llcuda.h: ggml type ids). */
public enum KvType {

	F16(1), Q8_0(8);

	private final int abiValue;

	KvType(int abiValue) {
		this.abiValue = abiValue;
	}

	/** The {@code kv_type} value of the C ABI. */
	public int abiValue() {
		return abiValue;
	}

}
