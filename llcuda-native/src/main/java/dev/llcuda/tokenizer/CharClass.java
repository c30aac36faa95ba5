package dev.llcuda.tokenizer;

/**
 * Unicode character classes as llama.cpp's pre-tokenizers see them: general-category
 * groups (letter, number, mark, punctuation, symbol, control) plus the
 * {@code White_Space} property. One byte of flags per code point, computed once for the
 * whole code space.
 */
final class CharClass {

	static final int LETTER = 1;
	static final int NUMBER = 1 << 1;
	static final int WHITESPACE = 1 << 2;
	static final int PUNCTUATION = 1 << 3;
	static final int SYMBOL = 1 << 4;
	static final int MARK = 1 << 5;
	static final int CONTROL = 1 << 6;

	private static final byte[] FLAGS = computeFlags();

	private CharClass() {
	}

	static int flags(int codePoint) {
		return codePoint >= 0 && codePoint < FLAGS.length ? FLAGS[codePoint] : 0;
	}

	/**
	 * Unicode's White_Space property (PropList.txt), which is what llama.cpp calls
	 * whitespace.
	 */
	private static boolean isWhiteSpaceProperty(int cp) {
		return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
				|| (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
				|| cp == 0x3000;
	}

	private static byte[] computeFlags() {
		byte[] flags = new byte[Character.MAX_CODE_POINT + 1];
		for (int cp = 0; cp < flags.length; cp++) {
			int f = categoryFlag(Character.getType(cp));
			if (isWhiteSpaceProperty(cp)) {
				f |= WHITESPACE;
			}
			flags[cp] = (byte) f;
		}
		return flags;
	}

	private static int categoryFlag(int type) {
		return switch (type) {
			case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
					Character.MODIFIER_LETTER, Character.OTHER_LETTER ->
				LETTER;
			case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
			case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> MARK;
			case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
					Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
					Character.OTHER_PUNCTUATION ->
				PUNCTUATION;
			case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL ->
				SYMBOL;
			case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE -> CONTROL;
			default -> 0;
		};
	}

}
