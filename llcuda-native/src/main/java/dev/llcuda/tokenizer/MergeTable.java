package dev.llcuda.tokenizer;

import java.util.Arrays;

/**
 * BPE merge ranks keyed by a pair of symbol ids: an open-addressing hash table of longs,
 * so that the hot loop of byte-level BPE neither boxes nor builds strings. (It also holds
 * the edges of a {@link TokenTrie}: node and character to child node.) It grows to stay
 * at most half full.
 */
final class MergeTable {

	private static final long EMPTY = -1L;

	private long[] keys;

	private long[] values;

	private int mask;

	private int size;

	MergeTable(int expectedSize) {
		allocate(Integer.highestOneBit(Math.max(16, expectedSize * 2 - 1)) << 1);
	}

	private void allocate(int capacity) {
		keys = new long[capacity];
		values = new long[capacity];
		Arrays.fill(keys, EMPTY);
		mask = capacity - 1;
		size = 0;
	}

	/**
	 * Records that {@code left right} merge into {@code result} at {@code rank}; the
	 * first rank of a pair wins.
	 */
	void putIfAbsent(int left, int right, int rank, int result) {
		put(key(left, right), ((long) rank << 32) | (result & 0xFFFFFFFFL));
		if (size * 2 > keys.length) {
			long[] oldKeys = keys;
			long[] oldValues = values;
			allocate(keys.length * 2);
			for (int i = 0; i < oldKeys.length; i++) {
				if (oldKeys[i] != EMPTY) {
					put(oldKeys[i], oldValues[i]);
				}
			}
		}
	}

	private void put(long key, long value) {
		int slot = slot(key);
		while (keys[slot] != EMPTY) {
			if (keys[slot] == key) {
				return;
			}
			slot = (slot + 1) & mask;
		}
		keys[slot] = key;
		values[slot] = value;
		size++;
	}

	/** {@code rank << 32 | result} of the pair, or -1 when the pair does not merge. */
	long find(int left, int right) {
		long key = key(left, right);
		int slot = slot(key);
		while (keys[slot] != EMPTY) {
			if (keys[slot] == key) {
				return values[slot];
			}
			slot = (slot + 1) & mask;
		}
		return -1L;
	}

	private static long key(int left, int right) {
		return ((long) left << 32) | (right & 0xFFFFFFFFL);
	}

	private int slot(long key) {
		long h = key * 0x9E3779B97F4A7C15L;
		return (int) (h >>> 40) & mask;
	}

}
