package dev.llcuda.engine;

import dev.llcuda.nativelib.Batch;

/**
 * One LoRA adapter a request runs with: the name it was loaded under and a factor on its
 * scale. A request may stack up to {@link #MAX_STACK} distinct adapters (as llama.cpp's
 * server takes {@code lora: [{id, scale}]}); the factor 1 runs the adapter as loaded.
 */
public record AdapterUse(String name, float scale) {

	/**
	 * Most adapters stacked on one request (the native {@code LLCUDA_MAX_ADAPTER_STACK}).
	 */
	public static final int MAX_STACK = Batch.MAX_ADAPTER_STACK;

	/**
	 * @throws InvalidRequestException for an empty name or a scale that is not finite
	 */
	public AdapterUse {
		if (name == null || name.isBlank()) {
			throw new InvalidRequestException("a LoRA adapter's name must not be empty");
		}
		if (!Float.isFinite(scale)) {
			throw InvalidRequestException.outOfRange("the scale of adapter '" + name + "'", scale, "finite");
		}
	}
}
