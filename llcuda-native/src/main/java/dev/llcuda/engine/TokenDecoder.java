package dev.llcuda.engine;

/**
 * Source of one {@link IncrementalDecoder} per request (usually the model's tokenizer).
 */
@FunctionalInterface
public interface TokenDecoder {

	IncrementalDecoder newDecoder();

}
