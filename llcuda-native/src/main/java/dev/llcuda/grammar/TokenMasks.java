package dev.llcuda.grammar;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The allowed-token masks of one grammar over one vocabulary, computed by walking the
 * vocabulary trie against a state and cached per state (least recently used dropped
 * first): sequences under the same schema, and the many steps inside a string, reuse the
 * same few states. Thread-safe.
 */
public final class TokenMasks {

	/** Masks kept per grammar; a mask of a 128k vocabulary is 16 KB. */
	static final int MAX_CACHED_STATES = 2048;

	private final Grammar grammar;

	private final TokenTrie trie;

	private final Map<MatchState, int[]> cache = new LinkedHashMap<>(64, 0.75f, true) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<MatchState, int[]> eldest) {
			return size() > MAX_CACHED_STATES;
		}
	};

	private long hits;

	private long misses;

	public TokenMasks(Grammar grammar, TokenTrie trie) {
		this.grammar = grammar;
		this.trie = trie;
	}

	/** A matcher for one new sequence. */
	public GrammarMatcher newMatcher() {
		return new GrammarMatcher(this, MatchState.start(grammar));
	}

	public TokenTrie trie() {
		return trie;
	}

	/** Words of a mask: bit t of word t / 32 is token t. */
	public int words() {
		return (trie.vocabSize() + 31) / 32;
	}

	/** The mask of {@code state}; shared, never modify it. */
	synchronized int[] mask(MatchState state) {
		int[] mask = cache.get(state);
		if (mask != null) {
			hits++;
			return mask;
		}
		misses++;
		mask = new int[words()];
		trie.allowed(state, mask);
		if (state.accepting()) {
			for (int id : trie.endOfGeneration()) {
				mask[id >>> 5] |= 1 << (id & 31);
			}
		}
		cache.put(state, mask);
		return mask;
	}

	/** Share of mask requests answered from the cache. */
	public synchronized double hitRate() {
		return hits + misses == 0 ? 0.0 : (double) hits / (hits + misses);
	}

}
