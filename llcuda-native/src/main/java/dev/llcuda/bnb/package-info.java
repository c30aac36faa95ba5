/**
 * bitsandbytes 4-bit weights as Hugging Face checkpoints store them (Unsloth's
 * {@code *-bnb-4bit}): {@link dev.llcuda.bnb.BnbNf4} turns one NF4 weight and its
 * quantization state into llcuda's {@link dev.llcuda.gguf.GgmlType#NF4} blocks, exactly.
 */
@NullMarked
package dev.llcuda.bnb;

import org.jspecify.annotations.NullMarked;
