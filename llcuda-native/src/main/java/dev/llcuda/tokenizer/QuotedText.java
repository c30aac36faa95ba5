package dev.llcuda.tokenizer;

/**
 * Text that a prompt quotes (a user's message, a tool's result) as opposed to the chat
 * template's own markup. The rendered prompt is one string, so the caller's text is
 * marked before rendering: U+FDD0 (a Unicode noncharacter, reserved for such internal
 * use) goes before every place where a special-token spelling starts, and a U+FDD0 the
 * text had is doubled. A special token preceded by an odd run of marks is then read as
 * text, and the marks are removed before the text is tokenized.
 */
final class QuotedText {

	static final char MARK = '\uFDD0';

	private QuotedText() {
	}

	/**
	 * {@code text} with its special-token spellings (control and unknown tokens) marked
	 * as text.
	 */
	static String quote(String text, TokenTable table) {
		boolean[] starts = null;
		for (int id : table.specialTokens()) {
			if (!table.type(id).isSpecial()) {
				continue;
			}
			String special = table.text(id);
			for (int at = text.indexOf(special); at >= 0; at = text.indexOf(special, at + 1)) {
				if (starts == null) {
					starts = new boolean[text.length()];
				}
				starts[at] = true;
			}
		}
		if (starts == null && text.indexOf(MARK) < 0) {
			return text;
		}
		StringBuilder quoted = new StringBuilder(text.length() + 16);
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == MARK || (starts != null && starts[i])) {
				quoted.append(MARK);
			}
			quoted.append(c);
		}
		return quoted.toString();
	}

	/**
	 * Whether the special-token spelling at {@code at} was quoted: an odd run of marks
	 * precedes it.
	 */
	static boolean isQuoted(String text, int at) {
		int marks = 0;
		while (at - marks > 0 && text.charAt(at - marks - 1) == MARK) {
			marks++;
		}
		return marks % 2 == 1;
	}

	/**
	 * {@code text[start, end)} without the marks: a doubled mark is the one the text had.
	 */
	static String unquote(String text, int start, int end) {
		if (text.indexOf(MARK, start) < 0 || text.indexOf(MARK, start) >= end) {
			return text.substring(start, end);
		}
		StringBuilder plain = new StringBuilder(end - start);
		for (int i = start; i < end; i++) {
			char c = text.charAt(i);
			if (c != MARK) {
				plain.append(c);
			}
			else if (i + 1 < end && text.charAt(i + 1) == MARK) {
				plain.append(MARK);
				i++;
			}
		}
		return plain.toString();
	}

}
