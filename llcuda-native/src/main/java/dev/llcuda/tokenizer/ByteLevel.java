package dev.llcuda.tokenizer;

import java.util.Arrays;

/**
 * GPT-2's byte-to-character table: byte-level BPE vocabularies spell every byte as one
 * printable character (printable Latin-1 bytes as themselves, the others as U+0100
 * onwards).
 */
final class ByteLevel {

	private static final char[] BYTE_TO_CHAR = new char[256];

	private static final int[] CHAR_TO_BYTE = new int[512];

	static {
		Arrays.fill(CHAR_TO_BYTE, -1);
		int next = 256;
		for (int b = 0; b < 256; b++) {
			boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
			char c = printable ? (char) b : (char) next++;
			BYTE_TO_CHAR[b] = c;
			CHAR_TO_BYTE[c] = b;
		}
	}

	private ByteLevel() {
	}

	static char charOf(int b) {
		return BYTE_TO_CHAR[b & 0xFF];
	}

	/**
	 * The byte a character stands for, or -1 when it is not one of the 256 byte
	 * characters.
	 */
	static int byteOf(int c) {
		return c >= 0 && c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
	}

	/** Spells UTF-8 bytes as byte characters. */
	static String encode(byte[] utf8) {
		char[] chars = new char[utf8.length];
		for (int i = 0; i < utf8.length; i++) {
			chars[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
		}
		return new String(chars);
	}

}
