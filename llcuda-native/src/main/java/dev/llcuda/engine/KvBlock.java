package dev.llcuda.engine;

import org.jspecify.annotations.Nullable;

/**
 * One fixed-size block of the paged KV cache. Mutable state owned by the
 * {@link BlockPool}; only the engine thread touches it.
 */
final class KvBlock {

	final int id;

	/**
	 * Requests using this block; 0 means it sits in the free queue (possibly still
	 * cached).
	 */
	int refCount;

	/** Content hash while the block is in the prefix cache, else null. */
	@Nullable BlockHash hash;

	// Links of the free queue; null when not in it (or at its ends).
	@Nullable KvBlock prev;

	@Nullable KvBlock next;

	boolean inFreeQueue;

	KvBlock(int id) {
		this.id = id;
	}

	@Override
	public String toString() {
		return "KvBlock[" + id + ", ref=" + refCount + (hash != null ? ", cached" : "") + "]";
	}

}
