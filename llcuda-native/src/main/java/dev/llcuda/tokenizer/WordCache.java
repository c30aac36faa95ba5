package dev.llcuda.tokenizer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Token ids of words already encoded. Prose repeats a few thousand words, so a bounded map that
 * starts over when full keeps nearly every hit without growing with the input. Thread-safe.
 */
final class WordCache {

    /** Words kept before the cache starts over (a few MB at most). */
    private static final int LIMIT = 1 << 16;

    private final Map<String, int[]> ids = new ConcurrentHashMap<>();

    /** The ids of {@code word}, computed by {@code encoder} on a miss. Callers must not modify the array. */
    int[] get(String word, Function<String, int[]> encoder) {
        int[] cached = ids.get(word);
        if (cached != null) {
            return cached;
        }
        int[] computed = encoder.apply(word);
        if (ids.size() >= LIMIT) {
            ids.clear();
        }
        ids.put(word, computed);
        return computed;
    }
}
