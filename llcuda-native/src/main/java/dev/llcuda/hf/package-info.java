/**
 * Hugging Face model directories ({@code config.json}, {@code tokenizer.json},
 * {@code tokenizer_config.json}, safetensors weights) converted to GGUF:
 * {@link dev.llcuda.hf.CheckpointConverter} writes the file,
 * {@link dev.llcuda.hf.ConvertedModelCache} converts a directory once and reuses the file
 * afterwards.
 */
@NullMarked
package dev.llcuda.hf;

import org.jspecify.annotations.NullMarked;
