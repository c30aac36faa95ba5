package dev.llcuda.engine;

/**
 * Snapshot of the KV cache.
 *
 * @param usedBlocks blocks held by requests
 * @param totalBlocks blocks in the cache
 * @param cachedBlocks blocks holding prefix-cache content (used or evictable)
 * @param queriedTokens prompt tokens of admitted requests looked up in the prefix cache
 * @param hitTokens of those, tokens whose KV was found cached
 */
public record KvCacheStats(int usedBlocks, int totalBlocks, int cachedBlocks, long queriedTokens, long hitTokens) {

	/**
	 * Share of looked-up prompt tokens found in the prefix cache, 0 before any lookup.
	 */
	public double prefixHitRate() {
		return queriedTokens == 0 ? 0.0 : (double) hitTokens / queriedTokens;
	}

	public double usage() {
		return (double) usedBlocks / totalBlocks;
	}
}
