package dev.llcuda.registry;

/**
 * What a model file says about itself.
 *
 * @param name display name (general.name, or the file name)
 * @param architecture e.g. "llama", "qwen2"
 * @param quantization dominant weight type, e.g. "Q4_K_M", "F16"
 * @param parameterCount weights in all tensors
 * @param contextLength context length the model was trained for
 */
public record ModelFacts(String name, String architecture, String quantization, long parameterCount,
		int contextLength) {
}
