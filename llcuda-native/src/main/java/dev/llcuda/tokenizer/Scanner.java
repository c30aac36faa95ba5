package dev.llcuda.tokenizer;

import static dev.llcuda.tokenizer.CharClass.WHITESPACE;

/**
 * Code-point scanning helpers over one fragment {@code text[.., end)} for the
 * hand-written splitters.
 */
final class Scanner {

	private final String text;

	private final int end;

	Scanner(String text, int end) {
		this.text = text;
		this.end = end;
	}

	/** The character class flags at {@code pos}, 0 past the fragment's end. */
	int flagsAt(int pos) {
		return pos < end ? CharClass.flags(text.codePointAt(pos)) : 0;
	}

	int next(int pos) {
		return pos + Character.charCount(text.codePointAt(pos));
	}

	/**
	 * Advances from {@code pos} over code points that have one of {@code flags}
	 * ({@code having}) or none of them ({@code !having}).
	 */
	int skip(int pos, int flags, boolean having) {
		while (pos < end && ((flagsAt(pos) & flags) != 0) == having) {
			pos = next(pos);
		}
		return pos;
	}

	/**
	 * The end of the whitespace word at {@code pos}: {@code \s*[\r\n]+} when
	 * {@code newlines} is set and the run holds a line break, else {@code \s+(?!\S)} (all
	 * but the last space before a non-space), else {@code \s+}; a non-space code point
	 * alone if there is no whitespace.
	 */
	int whitespace(int pos, boolean newlines) {
		int runEnd = pos;
		int lastStart = pos;
		int afterLineBreak = -1;
		int count = 0;
		while (runEnd < end && (flagsAt(runEnd) & WHITESPACE) != 0) {
			char c = text.charAt(runEnd);
			lastStart = runEnd;
			runEnd = next(runEnd);
			count++;
			if (c == '\r' || c == '\n') {
				afterLineBreak = runEnd;
			}
		}
		if (newlines && afterLineBreak >= 0) {
			return afterLineBreak;
		}
		if (count > 1 && runEnd < end) {
			return lastStart;
		}
		return count > 0 ? runEnd : next(pos);
	}

}
