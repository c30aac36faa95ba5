/**
 * Tokenizers that reproduce llama.cpp's ids for GGUF vocabularies:
 * {@link dev.llcuda.tokenizer.Tokenizer} ({@code Tokenizer.fromGguf(metadata)}) encodes
 * and decodes, {@link dev.llcuda.tokenizer.StreamingDecoder} turns generated tokens into
 * text without splitting characters, {@link dev.llcuda.tokenizer.Vocabulary} is the
 * {@code tokenizer.ggml.*} data.
 *
 * <p>
 * Models: SentencePiece ({@code llama}, with byte fallback), byte-level BPE
 * ({@code gpt2}, the pre-tokenizer chosen by {@code tokenizer.ggml.pre}) and WordPiece
 * ({@code bert}). Before a model runs, special tokens are cut out of the text
 * (user-defined ones always, control ones when asked). The shared vectors of
 * {@code ../shared/testdata/vocab} are the reference.
 */
@NullMarked
package dev.llcuda.tokenizer;

import org.jspecify.annotations.NullMarked;
