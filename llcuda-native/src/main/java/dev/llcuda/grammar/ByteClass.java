package dev.llcuda.grammar;

import java.util.Arrays;
import java.util.function.LongBinaryOperator;

/** A set of byte values (0..255), one element of a grammar rule. */
final class ByteClass {

	private final long[] bits = new long[4];

	static ByteClass of(int b) {
		return range(b, b);
	}

	static ByteClass range(int from, int to) {
		ByteClass c = new ByteClass();
		for (int b = from; b <= to; b++) {
			c.bits[b >>> 6] |= 1L << (b & 63);
		}
		return c;
	}

	static ByteClass anyOf(String asciiChars) {
		ByteClass c = new ByteClass();
		for (int i = 0; i < asciiChars.length(); i++) {
			int b = asciiChars.charAt(i);
			c.bits[b >>> 6] |= 1L << (b & 63);
		}
		return c;
	}

	ByteClass without(String asciiChars) {
		ByteClass c = new ByteClass();
		System.arraycopy(bits, 0, c.bits, 0, 4);
		for (int i = 0; i < asciiChars.length(); i++) {
			int b = asciiChars.charAt(i);
			c.bits[b >>> 6] &= ~(1L << (b & 63));
		}
		return c;
	}

	ByteClass union(ByteClass other) {
		return combine(other, (a, b) -> a | b);
	}

	ByteClass intersect(ByteClass other) {
		return combine(other, (a, b) -> a & b);
	}

	ByteClass minus(ByteClass other) {
		return combine(other, (a, b) -> a & ~b);
	}

	private ByteClass combine(ByteClass other, LongBinaryOperator op) {
		ByteClass c = new ByteClass();
		for (int i = 0; i < 4; i++) {
			c.bits[i] = op.applyAsLong(bits[i], other.bits[i]);
		}
		return c;
	}

	boolean isEmpty() {
		return (bits[0] | bits[1] | bits[2] | bits[3]) == 0;
	}

	boolean contains(int b) {
		return (bits[b >>> 6] & (1L << (b & 63))) != 0;
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof ByteClass other && Arrays.equals(bits, other.bits);
	}

	@Override
	public int hashCode() {
		return Arrays.hashCode(bits);
	}

}
