package dev.llcuda.tokenizer;

/**
 * The English contractions {@code 's 't 're 've 'm 'll 'd} that byte-level pre-tokenizers
 * keep whole.
 */
final class Contractions {

	private Contractions() {
	}

	/**
	 * The length of the contraction at {@code pos}, or 0; {@code anyCase} also accepts
	 * {@code 'S}, {@code 'Ll}, ...
	 */
	static int length(String text, int pos, int end, boolean anyCase) {
		if (text.charAt(pos) != '\'' || pos + 1 >= end) {
			return 0;
		}
		char first = lower(text.charAt(pos + 1), anyCase);
		if (first == 's' || first == 't' || first == 'm' || first == 'd') {
			return 2;
		}
		if (pos + 2 >= end) {
			return 0;
		}
		char second = lower(text.charAt(pos + 2), anyCase);
		boolean two = (first == 'r' && second == 'e') || (first == 'v' && second == 'e')
				|| (first == 'l' && second == 'l');
		return two ? 3 : 0;
	}

	private static char lower(char c, boolean anyCase) {
		return anyCase && c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
	}

}
