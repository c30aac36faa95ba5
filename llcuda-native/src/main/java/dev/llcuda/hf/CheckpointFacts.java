package dev.llcuda.hf;

/**
 * What a Hugging Face model directory says about itself, read from {@code config.json}
 * and the safetensors headers without converting it.
 *
 * @param name the directory's name (the {@code general.name} its conversion gets)
 * @param architecture the GGUF architecture it converts to, e.g. "llama", "qwen2"
 * @param weightType the stored type of the weights: "F16", "BF16", "F32", or "NF4" for a
 * bitsandbytes 4-bit checkpoint
 * @param parameterCount elements of every tensor (NF4 weights counted as packed bytes)
 * @param contextLength {@code max_position_embeddings}
 */
public record CheckpointFacts(String name, String architecture, String weightType, long parameterCount,
		int contextLength) {
}
