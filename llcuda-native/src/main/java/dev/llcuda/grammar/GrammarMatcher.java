package dev.llcuda.grammar;

/**
 * Follows one sequence's generated tokens through a grammar. Not thread-safe: one per
 * sequence.
 */
public final class GrammarMatcher {

	private final TokenMasks masks;

	private MatchState state;

	GrammarMatcher(TokenMasks masks, MatchState state) {
		this.masks = masks;
		this.state = state;
	}

	/**
	 * The tokens that can come next: bit t of word t / 32 is token t. End-of-generation
	 * tokens are in it only where the output may end. Shared between matchers; never
	 * modify it.
	 */
	public int[] allowedTokens() {
		return masks.mask(state);
	}

	/**
	 * Advances by a generated token.
	 * @throws IllegalStateException if the token was not allowed (a sampler that ignored
	 * the mask)
	 */
	public void accept(int token) {
		int[] mask = allowedTokens();
		if (token < 0 || token >= masks.trie().vocabSize() || (mask[token >>> 5] & (1 << (token & 31))) == 0) {
			throw new IllegalStateException("token " + token + " is not allowed by the grammar here");
		}
		if (isEndOfGeneration(token)) {
			return;
		}
		MatchState next = state.advance(masks.trie().tokenBytes(token));
		if (next == null) {
			throw new IllegalStateException("token " + token + " is not allowed by the grammar here");
		}
		state = next;
	}

	/** Whether the output so far is complete (an end-of-generation token is allowed). */
	public boolean accepting() {
		return state.accepting();
	}

	/** Whether nothing but the end of the output can follow. */
	public boolean finished() {
		return state.finished();
	}

	private boolean isEndOfGeneration(int token) {
		for (int id : masks.trie().endOfGeneration()) {
			if (id == token) {
				return true;
			}
		}
		return false;
	}

}
