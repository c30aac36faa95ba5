package dev.llcuda.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Hands out KV blocks to sequences: reserves slots for the tokens a step will compute, finds
 * the cached prefix of a new prompt, registers computed full blocks in the prefix cache and
 * frees a sequence's blocks when it finishes, is cancelled or preempted.
 */
final class KvCacheManager {

    private final BlockPool pool;
    private final int blockSize;
    private final boolean prefixCaching;
    private final Map<Long, List<KvBlock>> blocksBySequence = new HashMap<>();
    private long queriedTokens;
    private long hitTokens;

    KvCacheManager(int numBlocks, int blockSize, boolean prefixCaching) {
        if (blockSize <= 0) {
            throw new IllegalArgumentException("KV block size must be positive, got " + blockSize);
        }
        this.pool = new BlockPool(numBlocks);
        this.blockSize = blockSize;
        this.prefixCaching = prefixCaching;
    }

    int blockSize() {
        return blockSize;
    }

    int totalBlocks() {
        return pool.totalBlocks();
    }

    /**
     * The longest run of leading full blocks of a not yet computed sequence found in the cache.
     * At least the last token is always left to compute: the step needs it to sample.
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
     * Reserves room for {@code numNewTokens} more tokens after the sequence's computed ones (and
     * after {@code hit}, the cached prefix of a sequence being admitted).
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

    /** Counts an admitted prompt's lookup in the hit rate (once per request, not per retry). */
    void recordLookup(Sequence seq, PrefixHit hit) {
        queriedTokens += seq.numTokens();
        hitTokens += hit.cachedTokens();
    }

    /** After a step wrote the KV of the sequence's computed tokens: caches its newly full blocks. */
    void cacheComputedBlocks(Sequence seq) {
        if (!prefixCaching) {
            return;
        }
        List<KvBlock> blocks = Objects.requireNonNull(blocksBySequence.get(seq.id));  // allocated before its first step
        int full = seq.numComputed / blockSize;
        for (int i = seq.numCachedBlocks; i < full; i++) {
            pool.cache(blocks.get(i), seq.blockHash(i, blockSize));
        }
        seq.numCachedBlocks = Math.max(seq.numCachedBlocks, full);
    }

    /** Returns all blocks of the sequence; its tail blocks become the first to be evicted. */
    void free(Sequence seq) {
        List<KvBlock> blocks = blocksBySequence.remove(seq.id);
        seq.numCachedBlocks = 0;
        if (blocks == null) {
            return;
        }
        List<KvBlock> tailFirst = new ArrayList<>(blocks);
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
