package dev.llcuda.tokenizer;

/** UTF-8 facts the tokenizers need. */
final class Utf8 {

	private Utf8() {
	}

	/**
	 * The length of the longest prefix of {@code bytes} that does not end inside a UTF-8
	 * character. Only a tail that could still become a valid character is held back;
	 * invalid bytes are released (and decode as U+FFFD).
	 */
	static int completePrefixLength(byte[] bytes) {
		int n = bytes.length;
		// look at most 3 bytes back for the start of an unfinished multi-byte character
		for (int back = 1; back <= Math.min(3, n); back++) {
			int b = bytes[n - back] & 0xFF;
			if ((b & 0xC0) == 0x80) {
				continue; // continuation byte: keep looking for the lead byte
			}
			int expected = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xC2 && b <= 0xDF ? 2 : 1;
			return expected > back ? n - back : n;
		}
		return n;
	}

	/**
	 * The number of bytes of {@code text} in UTF-8 (a lone surrogate counts as the 1 byte
	 * Java writes for it).
	 */
	static long encodedLength(String text) {
		long bytes = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x80) {
				bytes += 1;
			}
			else if (c < 0x800) {
				bytes += 2;
			}
			else if (Character.isHighSurrogate(c) && i + 1 < text.length()
					&& Character.isLowSurrogate(text.charAt(i + 1))) {
				bytes += 4;
				i++;
			}
			else if (Character.isSurrogate(c)) {
				bytes += 1;
			}
			else {
				bytes += 3;
			}
		}
		return bytes;
	}

}
