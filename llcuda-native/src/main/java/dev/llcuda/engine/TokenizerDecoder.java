package dev.llcuda.engine;

import dev.llcuda.tokenizer.StreamingDecoder;
import dev.llcuda.tokenizer.Tokenizer;

/**
 * Detokenizes with a model's tokenizer (UTF-8 safe: incomplete characters are held back).
 */
public record TokenizerDecoder(Tokenizer tokenizer) implements TokenDecoder {

	@Override
	public IncrementalDecoder newDecoder() {
		StreamingDecoder decoder = tokenizer.streamingDecoder();
		return new IncrementalDecoder() {
			@Override
			public String push(int tokenId) {
				return decoder.push(tokenId);
			}

			@Override
			public String flush() {
				return decoder.flush();
			}
		};
	}
}
