/**
 * Hugging Face safetensors checkpoints: {@link dev.llcuda.safetensors.SafetensorsFile}
 * validates one file's header (length, JSON, dtype, shape and offsets against the file
 * size) and maps each tensor's raw bytes;
 * {@link dev.llcuda.safetensors.SafetensorsCheckpoint} joins the shards of
 * {@code model.safetensors.index.json}. Every malformed input is a
 * {@link dev.llcuda.safetensors.SafetensorsFormatException} naming file, tensor and
 * problem.
 */
@NullMarked
package dev.llcuda.safetensors;

import org.jspecify.annotations.NullMarked;
