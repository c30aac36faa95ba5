package dev.llcuda.tokenizer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Token ids of words already encoded. Prose repeats a few thousand words, so a bounded
 * map that starts over when full keeps nearly every hit without growing with the input
 * (at most a few MB). Thread-safe.
 */
final class WordCache {

	/** Words kept before the cache starts over. */
	private static final int LIMIT = 1 << 16;

	/**
	 * Longer words (runs of symbols, digits, whitespace) are rare and are not kept, which
	 * bounds the memory.
	 */
	private static final int MAX_WORD_CHARS = 64;

	private final Map<String, int[]> ids = new ConcurrentHashMap<>();

	/**
	 * The ids of {@code word}, computed by {@code encoder} on a miss. Callers must not
	 * modify the array.
	 */
	int[] get(String word, Function<String, int[]> encoder) {
		int[] cached = ids.get(word);
		if (cached != null) {
			return cached;
		}
		int[] computed = encoder.apply(word);
		if (word.length() > MAX_WORD_CHARS) {
			return computed;
		}
		if (ids.size() >= LIMIT) {
			ids.clear();
		}
		ids.put(word, computed);
		return computed;
	}

}
