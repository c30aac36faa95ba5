package dev.llcuda.engine;

import org.jspecify.annotations.Nullable;

/**
 * One streamed piece: the text a generated token completed (may be empty while a
 * multi-byte character or a possible stop string is held back), the token's id and, when
 * the request asked for them, its log-probabilities.
 */
public record TokenPiece(String text, int tokenId, @Nullable TokenLogprobs logprobs) {

	/** Without log-probabilities. */
	public TokenPiece(String text, int tokenId) {
		this(text, tokenId, null);
	}
}
