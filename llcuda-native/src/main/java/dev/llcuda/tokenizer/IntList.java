package dev.llcuda.tokenizer;

import java.util.Arrays;

/** A growable list of ints without boxing, for token ids and offsets. */
final class IntList {

	private int[] values;

	private int size;

	IntList(int capacity) {
		values = new int[Math.max(capacity, 4)];
	}

	void add(int value) {
		if (size == values.length) {
			values = Arrays.copyOf(values, size * 2);
		}
		values[size++] = value;
	}

	void addAll(int[] more) {
		if (size + more.length > values.length) {
			values = Arrays.copyOf(values, Math.max(size * 2, size + more.length));
		}
		System.arraycopy(more, 0, values, size, more.length);
		size += more.length;
	}

	int get(int index) {
		return values[index];
	}

	int size() {
		return size;
	}

	void clear() {
		size = 0;
	}

	void truncate(int newSize) {
		size = newSize;
	}

	void addAll(IntList more) {
		for (int i = 0; i < more.size; i++) {
			add(more.values[i]);
		}
	}

	int[] toArray() {
		return Arrays.copyOf(values, size);
	}

}
