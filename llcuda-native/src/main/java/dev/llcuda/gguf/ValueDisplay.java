package dev.llcuda.gguf;

import java.util.List;

/** The text forms of metadata values shown by {@code inspect}. */
final class ValueDisplay {

	private ValueDisplay() {
	}

	/**
	 * {@code value} in double quotes with quotes, backslashes and control characters
	 * escaped.
	 */
	static String quoted(String value, int maxChars) {
		int shown = Math.min(value.length(), maxChars);
		if (shown < value.length() && Character.isHighSurrogate(value.charAt(shown - 1))) {
			shown--;
		}
		StringBuilder out = new StringBuilder(shown + 16).append('"');
		for (int i = 0; i < shown; i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (c < 0x20 || c == 0x7F) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		out.append('"');
		if (shown < value.length()) {
			out.append("... (").append(value.length()).append(" chars)");
		}
		return out.toString();
	}

	/** {@code [a, b, ...]} with at most {@code maxElements} elements shown. */
	static String list(List<GgufValue> elements, int maxElements, int maxChars) {
		StringBuilder out = new StringBuilder("[");
		int shown = Math.min(elements.size(), maxElements);
		for (int i = 0; i < shown; i++) {
			if (i > 0) {
				out.append(", ");
			}
			out.append(elements.get(i).display(maxElements, maxChars));
		}
		if (shown < elements.size()) {
			out.append(shown > 0 ? ", " : "").append("... (").append(elements.size()).append(" elements)");
		}
		return out.append(']').toString();
	}

}
