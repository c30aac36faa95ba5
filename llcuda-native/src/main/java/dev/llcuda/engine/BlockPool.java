package dev.llcuda.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Owns every block of the KV cache: the free queue (which doubles as the LRU eviction
 * order of cached blocks), reference counts, and the prefix-cache map from content hash
 * to block. A block is in exactly one of two states: in use (refCount > 0, not in the
 * free queue) or free (refCount 0, in the free queue; it may still hold cached content
 * until reallocated).
 */
final class BlockPool {

	private final KvBlock[] blocks;

	private final FreeBlockQueue freeQueue = new FreeBlockQueue();

	private final Map<BlockHash, KvBlock> cached = new HashMap<>();

	BlockPool(int numBlocks) {
		if (numBlocks <= 0) {
			throw new IllegalArgumentException("KV cache needs at least one block, got " + numBlocks);
		}
		blocks = new KvBlock[numBlocks];
		for (int i = 0; i < numBlocks; i++) {
			blocks[i] = new KvBlock(i);
			freeQueue.append(blocks[i]);
		}
	}

	int totalBlocks() {
		return blocks.length;
	}

	/** Blocks that can be handed out now, cached-but-unused ones included. */
	int freeBlocks() {
		return freeQueue.size();
	}

	int usedBlocks() {
		return blocks.length - freeQueue.size();
	}

	int cachedBlocks() {
		return cached.size();
	}

	/**
	 * Takes {@code n} blocks from the head of the free queue, evicting their cached
	 * content.
	 */
	List<KvBlock> allocate(int n) {
		if (n > freeQueue.size()) {
			throw new IllegalStateException("asked for " + n + " KV blocks, " + freeQueue.size() + " free");
		}
		List<KvBlock> out = new ArrayList<>(n);
		for (int i = 0; i < n; i++) {
			KvBlock block = freeQueue.popFirst();
			evict(block);
			block.refCount = 1;
			out.add(block);
		}
		return out;
	}

	/**
	 * Adds a user to blocks found in the prefix cache, taking free ones out of the queue.
	 */
	void touch(List<KvBlock> hits) {
		for (KvBlock block : hits) {
			if (block.refCount == 0) {
				freeQueue.remove(block);
			}
			block.refCount++;
		}
	}

	/**
	 * Drops one user from each block; blocks nobody uses join the free queue in the given
	 * order, so pass the blocks to evict first first.
	 */
	void free(List<KvBlock> ordered) {
		for (KvBlock block : ordered) {
			if (block.refCount <= 0) {
				throw new IllegalStateException("double free of " + block);
			}
			if (--block.refCount == 0) {
				freeQueue.append(block);
			}
		}
	}

	@Nullable KvBlock cachedBlock(BlockHash hash) {
		return cached.get(hash);
	}

	/**
	 * Registers a full, computed block under its content hash. Returns false when that
	 * content is already cached in another block (two requests computed the same prefix
	 * at once); the block then stays uncached and is reused plainly once freed.
	 */
	boolean cache(KvBlock block, BlockHash hash) {
		if (block.hash != null) {
			return block.hash.equals(hash);
		}
		if (cached.putIfAbsent(hash, block) != null) {
			return false;
		}
		block.hash = hash;
		return true;
	}

	private void evict(KvBlock block) {
		if (block.hash != null) {
			cached.remove(block.hash);
			block.hash = null;
		}
	}

	/** Free queue ids from the next allocated to the last (tests and diagnostics). */
	List<Integer> freeQueueIds() {
		return freeQueue.ids();
	}

	KvBlock block(int id) {
		return blocks[id];
	}

}
