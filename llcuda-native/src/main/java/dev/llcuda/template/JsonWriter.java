package dev.llcuda.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Writes template values as JSON exactly like Python's
 * {@code json.dumps(x, ensure_ascii, indent, separators, sort_keys)}, which Hugging
 * Face's {@code tojson} filter calls: {@code ", "} and {@code ": "} without indent,
 * {@code ","} and newlines with it.
 */
final class JsonWriter {

	private final String indent;

	private final String itemSeparator;

	private final String keySeparator;

	private final boolean sortKeys;

	private final boolean ensureAscii;

	private final StringBuilder out = new StringBuilder();

	private final RenderBudget budget = RenderBudget.current();

	/**
	 * @param indent null for one line, else the string repeated per nesting level
	 * @param separators null for Python's defaults, else {item separator, key separator}
	 */
	JsonWriter(String indent, String[] separators, boolean sortKeys, boolean ensureAscii) {
		this.indent = indent;
		this.itemSeparator = separators != null ? separators[0] : indent == null ? ", " : ",";
		this.keySeparator = separators != null ? separators[1] : ": ";
		this.sortKeys = sortKeys;
		this.ensureAscii = ensureAscii;
	}

	String write(Object value) {
		value(value, 0);
		return out.toString();
	}

	private void value(Object value, int level) {
		budget.checkString(out.length());
		budget.checkTime();
		if (value == null) {
			out.append("null");
		}
		else if (value instanceof Boolean b) {
			out.append(b ? "true" : "false");
		}
		else if (value instanceof Long l) {
			out.append(l);
		}
		else if (value instanceof Double d) {
			out.append(number(d));
		}
		else if (value instanceof String s) {
			string(s);
		}
		else if (value instanceof List<?> list) {
			list(list, level);
		}
		else if (value instanceof Map<?, ?> map) {
			map(map, level);
		}
		else {
			throw new EvalError("Object of type " + Values.typeName(value) + " is not JSON serializable");
		}
	}

	private void list(List<?> list, int level) {
		if (list.isEmpty()) {
			out.append("[]");
			return;
		}
		out.append('[');
		for (int i = 0; i < list.size(); i++) {
			if (i > 0) {
				out.append(itemSeparator);
			}
			newline(level + 1);
			value(list.get(i), level + 1);
		}
		newline(level);
		out.append(']');
	}

	private void map(Map<?, ?> map, int level) {
		if (map.isEmpty()) {
			out.append("{}");
			return;
		}
		List<Map.Entry<String, Object>> entries = new ArrayList<>();
		for (Map.Entry<?, ?> e : map.entrySet()) {
			entries.add(Map.entry(key(e.getKey()), e.getValue() == null ? NULL : e.getValue()));
		}
		if (sortKeys) {
			Collections.sort(entries, Map.Entry.comparingByKey());
		}
		out.append('{');
		boolean first = true;
		for (Map.Entry<String, Object> e : entries) {
			if (!first) {
				out.append(itemSeparator);
			}
			first = false;
			newline(level + 1);
			string(e.getKey());
			out.append(keySeparator);
			value(e.getValue() == NULL ? null : e.getValue(), level + 1);
		}
		newline(level);
		out.append('}');
	}

	/** Stands for a null map value inside {@link Map#entry}, which refuses nulls. */
	private static final Object NULL = new Object();

	/** Python converts non-string keys: numbers, booleans and None become strings. */
	private static String key(Object key) {
		if (key instanceof String s) {
			return s;
		}
		if (key == null) {
			return "null";
		}
		if (key instanceof Boolean b) {
			return b ? "true" : "false";
		}
		if (key instanceof Long || key instanceof Double) {
			return key instanceof Double d ? number(d) : key.toString();
		}
		throw new EvalError("keys must be str, int, float, bool or None, not " + Values.typeName(key));
	}

	private static String number(double d) {
		if (Double.isNaN(d)) {
			return "NaN";
		}
		if (Double.isInfinite(d)) {
			return d > 0 ? "Infinity" : "-Infinity";
		}
		return Values.floatRepr(d);
	}

	private void newline(int level) {
		if (indent != null) {
			budget.checkString(out.length() + (long) indent.length() * level);
			out.append('\n');
			out.append(indent.repeat(level));
		}
	}

	private void string(String s) {
		budget.checkString(out.length() + (long) s.length());
		out.append('"');
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				case '\b' -> out.append("\\b");
				case '\f' -> out.append("\\f");
				default -> {
					if (c < 0x20 || (ensureAscii && c > 0x7e)) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		out.append('"');
	}

}
