package dev.llcuda.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A small JSON reader (objects become {@link LinkedHashMap}, arrays {@link ArrayList},
 * integers {@link Long}, other numbers {@link Double}) for test cases and tool
 * definitions. The engine stays free of a JSON library; the writer side, with Python's
 * {@code json.dumps} layout, is {@link JsonWriter}.
 */
public final class Json {

	/** Deeper nesting than this is refused instead of overflowing the stack. */
	private static final int MAX_DEPTH = 512;

	private final String text;

	/**
	 * A number as JSON spells it (the exact reading refuses what the lenient one
	 * tolerates).
	 */
	private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

	private final String source;

	/** Whether numbers that are not a {@code long} are read as {@link BigDecimal}. */
	private final boolean exactNumbers;

	private int pos;

	private Json(String text, String source, boolean exactNumbers) {
		this.text = text;
		this.source = source;
		this.exactNumbers = exactNumbers;
	}

	/**
	 * Parses one JSON value.
	 * @param source names the input in error messages (a file name)
	 * @throws IllegalArgumentException naming the source, the offset and what is wrong
	 */
	public static Object parse(String text, String source) {
		return parse(text, source, false);
	}

	/**
	 * Parses one JSON value, numbers exactly: integers that fit a {@code long} become
	 * {@link Long}, every other number {@link BigDecimal} with the digits as written (for
	 * JSON schemas, whose bounds must compare exactly).
	 * @param source names the input in error messages (a file name)
	 * @throws IllegalArgumentException naming the source, the offset and what is wrong
	 */
	public static Object parseExact(String text, String source) {
		return parse(text, source, true);
	}

	private static Object parse(String text, String source, boolean exactNumbers) {
		Json json = new Json(text, source, exactNumbers);
		json.skipSpace();
		Object value = json.value(0);
		json.skipSpace();
		if (json.pos != text.length()) {
			throw json.error("unexpected content after the JSON value");
		}
		return value;
	}

	/** A JSON value read from the middle of a text, and the offset just after it. */
	public record Prefix(Object value, int end) {
	}

	/**
	 * Parses the one JSON value starting at {@code start} (after optional whitespace) and
	 * stops after it, leaving whatever follows unread.
	 * @throws IllegalArgumentException naming the source, the offset and what is wrong
	 */
	public static Prefix parseAt(String text, int start, String source) {
		Json json = new Json(text, source, false);
		json.pos = start;
		json.skipSpace();
		Object value = json.value(0);
		return new Prefix(value, json.pos);
	}

	/**
	 * Compact JSON ({@code ","} and {@code ":"} separators, non-ASCII kept) of a parsed
	 * value.
	 */
	public static String write(Object value) {
		return new JsonWriter(null, new String[] { ",", ":" }, false, false).write(value);
	}

	private Object value(int depth) {
		if (depth > MAX_DEPTH) {
			throw error("nesting deeper than " + MAX_DEPTH);
		}
		if (pos >= text.length()) {
			throw error("unexpected end of input");
		}
		char c = text.charAt(pos);
		switch (c) {
			case '{':
				return object(depth);
			case '[':
				return array(depth);
			case '"':
				return string();
			case 't':
				return literal("true", Boolean.TRUE);
			case 'f':
				return literal("false", Boolean.FALSE);
			case 'n':
				return literal("null", null);
			default:
				if (c == '-' || (c >= '0' && c <= '9')) {
					return number();
				}
				throw error("unexpected character '" + c + "'");
		}
	}

	private Map<String, Object> object(int depth) {
		Map<String, Object> map = new LinkedHashMap<>();
		pos++;
		skipSpace();
		if (peek() == '}') {
			pos++;
			return map;
		}
		while (true) {
			skipSpace();
			if (peek() != '"') {
				throw error("expected a string key");
			}
			String key = string();
			skipSpace();
			expect(':');
			skipSpace();
			map.put(key, value(depth + 1));
			skipSpace();
			if (peek() == ',') {
				pos++;
			}
			else {
				expect('}');
				return map;
			}
		}
	}

	private List<Object> array(int depth) {
		List<Object> list = new ArrayList<>();
		pos++;
		skipSpace();
		if (peek() == ']') {
			pos++;
			return list;
		}
		while (true) {
			skipSpace();
			list.add(value(depth + 1));
			skipSpace();
			if (peek() == ',') {
				pos++;
			}
			else {
				expect(']');
				return list;
			}
		}
	}

	private String string() {
		StringBuilder sb = new StringBuilder();
		pos++;
		while (true) {
			if (pos >= text.length()) {
				throw error("unterminated string");
			}
			char c = text.charAt(pos++);
			if (c == '"') {
				return sb.toString();
			}
			if (c < 0x20) {
				pos--;
				throw error("control character in string");
			}
			if (c != '\\') {
				sb.append(c);
				continue;
			}
			if (pos >= text.length()) {
				throw error("unterminated escape");
			}
			char e = text.charAt(pos++);
			switch (e) {
				case '"', '\\', '/' -> sb.append(e);
				case 'b' -> sb.append('\b');
				case 'f' -> sb.append('\f');
				case 'n' -> sb.append('\n');
				case 'r' -> sb.append('\r');
				case 't' -> sb.append('\t');
				case 'u' -> sb.append(hex4());
				default -> {
					pos--;
					throw error("invalid escape '\\" + e + "'");
				}
			}
		}
	}

	private char hex4() {
		if (pos + 4 > text.length()) {
			throw error("truncated \\u escape");
		}
		int v = 0;
		for (int i = 0; i < 4; i++) {
			int d = Character.digit(text.charAt(pos + i), 16);
			if (d < 0) {
				throw error("invalid \\u escape");
			}
			v = v * 16 + d;
		}
		pos += 4;
		return (char) v;
	}

	private Object number() {
		int start = pos;
		boolean integral = true;
		if (peek() == '-') {
			pos++;
		}
		while (pos < text.length()) {
			char c = text.charAt(pos);
			if (c == '.' || c == 'e' || c == 'E' || c == '+' || (c == '-' && pos > start)) {
				integral = false;
			}
			else if (c < '0' || c > '9') {
				break;
			}
			pos++;
		}
		String digits = text.substring(start, pos);
		try {
			if (exactNumbers) {
				return exactNumber(digits, integral);
			}
			if (integral) {
				return Long.parseLong(digits);
			}
			return Double.parseDouble(digits);
		}
		catch (NumberFormatException e) {
			pos = start;
			throw error("invalid or out-of-range number '" + digits + "'");
		}
	}

	private static Object exactNumber(String digits, boolean integral) {
		if (!JSON_NUMBER.matcher(digits).matches()) {
			throw new NumberFormatException(digits);
		}
		if (integral) {
			BigInteger value = new BigInteger(digits);
			return value.bitLength() < 64 ? (Object) value.longValue() : new BigDecimal(value);
		}
		return new BigDecimal(digits);
	}

	private Object literal(String word, Object value) {
		if (!text.startsWith(word, pos)) {
			throw error("invalid literal");
		}
		pos += word.length();
		return value;
	}

	private void expect(char c) {
		if (peek() != c) {
			throw error("expected '" + c + "'");
		}
		pos++;
	}

	private char peek() {
		return pos < text.length() ? text.charAt(pos) : '\0';
	}

	private void skipSpace() {
		while (pos < text.length()) {
			char c = text.charAt(pos);
			if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
				return;
			}
			pos++;
		}
	}

	private IllegalArgumentException error(String what) {
		return new IllegalArgumentException(source + ": offset " + pos + ": " + what);
	}

}
