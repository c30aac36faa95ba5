package dev.llcuda.registry;

/**
 * What a registered entry says about itself.
 *
 * @param name display name (general.name, or the file or directory name)
 * @param architecture e.g. "llama", "qwen2"; for an adapter the architecture of its base
 * ("" for a PEFT directory, which does not say: it fits any base whose tensors it
 * matches)
 * @param quantization dominant weight type, e.g. "Q4_K_M", "F16"
 * @param parameterCount weights in all tensors
 * @param contextLength context length the model was trained for (0 for an adapter)
 * @param kind a model file, a checkpoint directory or an adapter
 */
public record ModelFacts(String name, String architecture, String quantization, long parameterCount, int contextLength,
		EntryKind kind) {

	/** The facts of a GGUF model file. */
	public ModelFacts(String name, String architecture, String quantization, long parameterCount, int contextLength) {
		this(name, architecture, quantization, parameterCount, contextLength, EntryKind.GGUF_MODEL);
	}

}
