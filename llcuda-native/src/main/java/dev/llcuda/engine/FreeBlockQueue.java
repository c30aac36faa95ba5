package dev.llcuda.engine;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Doubly linked queue of free blocks with O(1) removal from the middle. Its order is also
 * the eviction order of cached blocks: the head is allocated (and its cached content
 * evicted) first, freed blocks join at the tail, so the least recently used cached block
 * goes first.
 */
final class FreeBlockQueue {

	private @Nullable KvBlock head;

	private @Nullable KvBlock tail;

	private int size;

	int size() {
		return size;
	}

	void append(KvBlock block) {
		if (block.inFreeQueue) {
			throw new IllegalStateException(block + " is already free");
		}
		block.prev = tail;
		block.next = null;
		if (tail == null) {
			head = block;
		}
		else {
			tail.next = block;
		}
		tail = block;
		block.inFreeQueue = true;
		size++;
	}

	KvBlock popFirst() {
		if (head == null) {
			throw new IllegalStateException("no free KV block");
		}
		KvBlock block = head;
		remove(block);
		return block;
	}

	void remove(KvBlock block) {
		if (!block.inFreeQueue) {
			throw new IllegalStateException(block + " is not in the free queue");
		}
		if (block.prev == null) {
			head = block.next;
		}
		else {
			block.prev.next = block.next;
		}
		if (block.next == null) {
			tail = block.prev;
		}
		else {
			block.next.prev = block.prev;
		}
		block.prev = null;
		block.next = null;
		block.inFreeQueue = false;
		size--;
	}

	/** Block ids from head to tail (tests and diagnostics). */
	List<Integer> ids() {
		List<Integer> ids = new ArrayList<>(size);
		for (KvBlock b = head; b != null; b = b.next) {
			ids.add(b.id);
		}
		return ids;
	}

}
