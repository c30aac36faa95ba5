package dev.llcuda.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * A piece of the input after special tokens are cut out: either the text
 * {@code [start, end)} of the input or one special token ({@code token >= 0}).
 */
record Fragment(int start, int end, int token) {

	boolean isText() {
		return token < 0;
	}

	/**
	 * Cuts every occurrence of the vocabulary's special tokens out of {@code text},
	 * longest token first, as llama.cpp does before tokenizing. User-defined tokens are
	 * always recognised; control and unknown tokens only when {@code parseSpecial} is
	 * set. With {@code honourQuotes}, a spelling that {@link QuotedText} marked stays
	 * text.
	 */
	static List<Fragment> partition(String text, TokenTable table, boolean parseSpecial, boolean honourQuotes) {
		List<Fragment> fragments = new ArrayList<>();
		if (text.isEmpty()) {
			return fragments;
		}
		fragments.add(new Fragment(0, text.length(), -1));
		for (int id : table.specialTokens()) {
			if (!parseSpecial && table.type(id).isSpecial()) {
				continue;
			}
			String special = table.text(id);
			if (text.indexOf(special) < 0) {
				continue;
			}
			List<Fragment> next = new ArrayList<>(fragments.size() + 2);
			for (Fragment fragment : fragments) {
				if (fragment.isText()) {
					split(text, fragment, id, special, table.stripsRight(id), honourQuotes, next);
				}
				else {
					next.add(fragment);
				}
			}
			fragments = next;
		}
		return fragments;
	}

	private static void split(String text, Fragment fragment, int id, String special, boolean stripRight,
			boolean honourQuotes, List<Fragment> out) {
		int position = fragment.start;
		int end = fragment.end;
		int match;
		while ((match = next(text, special, position, honourQuotes)) >= 0 && match + special.length() <= end) {
			if (match > position) {
				out.add(new Fragment(position, match, -1));
			}
			out.add(new Fragment(match, match + special.length(), id));
			position = match + special.length();
			if (stripRight) {
				while (position < end && isAsciiSpace(text.charAt(position))) {
					position++;
				}
			}
		}
		if (position < end) {
			out.add(new Fragment(position, end, -1));
		}
	}

	/**
	 * The next spelling of {@code special} from {@code from} on, passing over quoted
	 * ones.
	 */
	private static int next(String text, String special, int from, boolean honourQuotes) {
		int match = text.indexOf(special, from);
		while (honourQuotes && match >= 0 && QuotedText.isQuoted(text, match)) {
			match = text.indexOf(special, match + 1);
		}
		return match;
	}

	/**
	 * C's {@code isspace} in the "C" locale, which llama.cpp uses to strip around special
	 * tokens.
	 */
	private static boolean isAsciiSpace(char c) {
		return c == ' ' || (c >= '\t' && c <= '\r');
	}
}
