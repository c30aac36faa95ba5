package dev.llcuda.nativelib;

import com.sun.jna.Pointer;

/**
 * A paged KV cache: {@code blocks} blocks of {@code blockSize} positions, for every
 * layer.
 */
public final class KvCache extends NativeHandle {

	private final int blocks;

	private final int blockSize;

	KvCache(LlcudaLibrary api, Pointer handle, int blocks, int blockSize) {
		super(api, handle, "KV cache");
		this.blocks = blocks;
		this.blockSize = blockSize;
	}

	public int blocks() {
		return blocks;
	}

	public int blockSize() {
		return blockSize;
	}

	@Override
	String lastError(Pointer handle) {
		return api.llcuda_kv_cache_last_error(handle);
	}

	@Override
	void free(Pointer handle) {
		api.llcuda_kv_cache_free(handle);
	}

}
