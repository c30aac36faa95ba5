package dev.llcuda.template;

/**
 * Substring search in time linear in the text. {@link String#indexOf(String, int)}
 * compares the pattern at every position, which for a template's own long strings
 * ({@code 'a' * 10**7} searched for {@code 'a' * 10**6 ~ 'b'}) is hours of work; long
 * patterns go through Knuth-Morris-Pratt.
 */
final class Search {

	/**
	 * Patterns up to this long, or searches of at most {@link #NAIVE_WORK} comparisons,
	 * use the JDK's search.
	 */
	private static final int SHORT_PATTERN = 16;

	/** The JDK's search is fastest on real text; this bounds its worst case. */
	private static final long NAIVE_WORK = 1 << 20;

	private Search() {
	}

	/** {@code text.indexOf(pattern, from)}, in O(text length + pattern length). */
	static int indexOf(String text, String pattern, int from) {
		int m = pattern.length();
		if (m <= SHORT_PATTERN || (long) m * Math.max(0, text.length() - from) <= NAIVE_WORK) {
			return text.indexOf(pattern, from);
		}
		int[] border = borders(pattern);
		int matched = 0;
		for (int i = Math.max(0, from); i < text.length(); i++) {
			char c = text.charAt(i);
			while (matched > 0 && pattern.charAt(matched) != c) {
				matched = border[matched - 1];
			}
			if (pattern.charAt(matched) == c) {
				matched++;
			}
			if (matched == m) {
				return i - m + 1;
			}
		}
		return -1;
	}

	/**
	 * {@code border[i]}: the length of the longest proper prefix of {@code pattern[0..i]}
	 * that is also its suffix.
	 */
	private static int[] borders(String pattern) {
		int[] border = new int[pattern.length()];
		int k = 0;
		for (int i = 1; i < pattern.length(); i++) {
			while (k > 0 && pattern.charAt(k) != pattern.charAt(i)) {
				k = border[k - 1];
			}
			if (pattern.charAt(k) == pattern.charAt(i)) {
				k++;
			}
			border[i] = k;
		}
		return border;
	}

}
