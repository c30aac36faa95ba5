package dev.llcuda.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Hands out KV blocks to sequences: reserves slots for the tokens a step will compute,
 * finds the cached prefix of a new prompt, registers computed full blocks in the prefix
 * cache and frees a sequence's blocks when it finishes, is cancelled or preempted. When
 * every layer of the model slides, blocks that fell wholly out of a running sequence's
 * window go back to the pool during generation (their ids stay in the block table, where
 * nothing reads them any more).
 */
final class KvCacheManager {

	private final BlockPool pool;

	private final int blockSize;

	private final boolean prefixCaching;

	/**
	 * Positions each query sees in every layer (sliding window); 0: some layer sees the
	 * whole context.
	 */
	private final int window;

	private final Map<Long, List<KvBlock>> blocksBySequence = new HashMap<>();

	private long queriedTokens;

	private long hitTokens;

	KvCacheManager(int numBlocks, int blockSize, boolean prefixCaching) {
		this(numBlocks, blockSize, prefixCaching, 0);
	}

	KvCacheManager(int numBlocks, int blockSize, boolean prefixCaching, int window) {
		if (blockSize <= 0) {
			throw new IllegalArgumentException("KV block size must be positive, got " + blockSize);
		}
		if (window < 0) {
			throw new IllegalArgumentException("KV window must not be negative, got " + window);
		}
		this.pool = new BlockPool(numBlocks);
		this.blockSize = blockSize;
		this.prefixCaching = prefixCaching;
		this.window = window;
	}

	int blockSize() {
		return blockSize;
	}

	int totalBlocks() {
		return pool.totalBlocks();
	}

	/**
	 * The longest run of leading full blocks of a not yet computed sequence found in the
	 * cache. At least the last token is always left to compute: the step needs it to
	 * sample.
	 */
	PrefixHit findCachedPrefix(Sequence seq) {
		if (!prefixCaching || seq.numComputed != 0) {
			return PrefixHit.NONE;
		}
		int maxBlocks = (seq.numTokens() - 1) / blockSize;
		List<KvBlock> hits = new ArrayList<>();
		for (int i = 0; i < maxBlocks; i++) {
			KvBlock block = pool.cachedBlock(seq.blockHash(i, blockSize));
			if (block == null) {
				break;
			}
			hits.add(block);
		}
		return hits.isEmpty() ? PrefixHit.NONE : new PrefixHit(List.copyOf(hits), hits.size() * blockSize);
	}

	/**
	 * Reserves room for {@code numNewTokens} more tokens after the sequence's computed
	 * ones (and after {@code hit}, the cached prefix of a sequence being admitted).
	 */
	AllocationResult allocate(Sequence seq, int numNewTokens, PrefixHit hit) {
		List<KvBlock> owned = blocksBySequence.getOrDefault(seq.id, List.of());
		int totalTokens = seq.numComputed + hit.cachedTokens() + numNewTokens;
		int required = (totalTokens + blockSize - 1) / blockSize;
		int newBlocks = Math.max(0, required - owned.size() - hit.blocks().size());
		int reusedFree = 0;
		for (KvBlock block : hit.blocks()) {
			if (block.refCount == 0) {
				reusedFree++;
			}
		}
		int available = pool.freeBlocks() - reusedFree;
		if (newBlocks > available) {
			return new AllocationResult.NoRoom(newBlocks, available);
		}
		List<KvBlock> blocks = blocksBySequence.computeIfAbsent(seq.id, k -> new ArrayList<>());
		if (!hit.blocks().isEmpty()) {
			pool.touch(hit.blocks());
			blocks.addAll(hit.blocks());
			seq.numCachedBlocks = hit.blocks().size();
		}
		blocks.addAll(pool.allocate(newBlocks));
		return new AllocationResult.Allocated(newBlocks);
	}

	/**
	 * Counts an admitted prompt's lookup in the hit rate (once per request, not per
	 * retry).
	 */
	void recordLookup(Sequence seq, PrefixHit hit) {
		queriedTokens += seq.numTokens();
		hitTokens += hit.cachedTokens();
	}

	/**
	 * After a step wrote the KV of the sequence's computed tokens: caches its newly full
	 * blocks.
	 */
	void cacheComputedBlocks(Sequence seq) {
		if (!prefixCaching) {
			return;
		}
		List<KvBlock> blocks = Objects.requireNonNull(blocksBySequence.get(seq.id)); // allocated
																						// before
																						// its
																						// first
																						// step
		int full = seq.numComputed / blockSize;
		for (int i = seq.numCachedBlocks; i < full; i++) {
			pool.cache(blocks.get(i), seq.blockHash(i, blockSize));
		}
		seq.numCachedBlocks = Math.max(seq.numCachedBlocks, full);
	}

	/**
	 * After a step: returns the blocks wholly before the window of the sequence's next
	 * query (at position {@code numComputed}, seeing keys from
	 * {@code numComputed - window + 1} on), oldest first. A block another sequence uses,
	 * or the prefix cache holds, keeps its content until its last user lets it go and it
	 * is reallocated.
	 */
	void releaseOutOfWindow(Sequence seq) {
		List<KvBlock> blocks = blocksBySequence.get(seq.id);
		if (window == 0 || blocks == null) {
			return;
		}
		int outside = Math.min(blocks.size(), Math.max(0, seq.numComputed - window + 1) / blockSize);
		if (outside > seq.numReleasedBlocks) {
			pool.free(blocks.subList(seq.numReleasedBlocks, outside));
			seq.numReleasedBlocks = outside;
		}
	}

	/**
	 * Returns all blocks the sequence still holds; its tail blocks become the first to be
	 * evicted.
	 */
	void free(Sequence seq) {
		List<KvBlock> blocks = blocksBySequence.remove(seq.id);
		seq.numCachedBlocks = 0;
		int released = seq.numReleasedBlocks;
		seq.numReleasedBlocks = 0;
		if (blocks == null) {
			return;
		}
		List<KvBlock> tailFirst = new ArrayList<>(blocks.subList(released, blocks.size()));
		Collections.reverse(tailFirst);
		pool.free(tailFirst);
	}

	/** Block ids of the sequence in position order. */
	int[] blockTable(Sequence seq) {
		List<KvBlock> blocks = blocksBySequence.getOrDefault(seq.id, List.of());
		int[] ids = new int[blocks.size()];
		for (int i = 0; i < ids.length; i++) {
			ids[i] = blocks.get(i).id;
		}
		return ids;
	}

	int numBlocks(Sequence seq) {
		return blocksBySequence.getOrDefault(seq.id, List.of()).size();
	}

	KvCacheStats stats() {
		return new KvCacheStats(pool.usedBlocks(), pool.totalBlocks(), pool.cachedBlocks(), queriedTokens, hitTokens);
	}

	BlockPool pool() {
		return pool;
	}

}
