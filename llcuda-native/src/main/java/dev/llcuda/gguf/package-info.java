/**
 * GGUF files (versions 2 and 3): {@link dev.llcuda.gguf.GgufFile} validates the header
 * and maps tensor data, {@link dev.llcuda.gguf.GgufMetadata} gives typed access to the
 * key-value metadata, {@link dev.llcuda.gguf.GgufWriter} writes files, and
 * {@link dev.llcuda.gguf.GgmlType} is ggml's type table. Every malformed input is a
 * {@link dev.llcuda.gguf.GgufFormatException} naming file, offset and problem.
 */
@NullMarked
package dev.llcuda.gguf;

import org.jspecify.annotations.NullMarked;
