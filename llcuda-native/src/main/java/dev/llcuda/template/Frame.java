package dev.llcuda.template;

import java.util.Arrays;

/**
 * One variable scope. As in Jinja2, the template and each macro call have their own, and
 * so does each iteration of a loop: {@code set} inside a loop does not leak out (that is
 * what {@code namespace()} is for), while {@code if} shares its enclosing scope. Scopes
 * hold a handful of names, so a linear scan over two small arrays beats a hash map here.
 */
final class Frame {

	private final Frame parent;

	private String[] names = new String[4];

	private Object[] values = new Object[4];

	private int size;

	Frame(Frame parent) {
		this.parent = parent;
	}

	Object lookup(String name) {
		for (Frame f = this; f != null; f = f.parent) {
			int i = f.indexOf(name);
			if (i >= 0) {
				return f.values[i];
			}
		}
		return Undefined.name(name);
	}

	void set(String name, Object value) {
		int i = indexOf(name);
		if (i < 0) {
			if (size == names.length) {
				names = Arrays.copyOf(names, size * 2);
				values = Arrays.copyOf(values, size * 2);
			}
			i = size++;
			names[i] = name;
		}
		values[i] = value;
	}

	private int indexOf(String name) {
		for (int i = 0; i < size; i++) {
			if (names[i].equals(name)) {
				return i;
			}
		}
		return -1;
	}

}
