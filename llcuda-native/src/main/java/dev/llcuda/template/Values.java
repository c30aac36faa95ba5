package dev.llcuda.template;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Python semantics of template values: None is {@code null}, then Boolean, Long, Double,
 * String, List, {@link Tuple}, Map, {@link Namespace}, {@link Undefined} and callables.
 * Truth, printing ({@code str} and {@code repr} as Python writes them), equality,
 * ordering and iteration.
 */
final class Values {

	private Values() {
	}

	static String typeName(Object v) {
		if (v == null) {
			return "NoneType";
		}
		if (v instanceof Boolean) {
			return "bool";
		}
		if (v instanceof Long) {
			return "int";
		}
		if (v instanceof Double) {
			return "float";
		}
		if (v instanceof String) {
			return "str";
		}
		if (v instanceof Tuple) {
			return "tuple";
		}
		if (v instanceof List) {
			return "list";
		}
		if (v instanceof Map) {
			return "dict";
		}
		if (v instanceof Namespace) {
			return "Namespace";
		}
		if (v instanceof Undefined) {
			return "Undefined";
		}
		if (v instanceof LoopInfo) {
			return "LoopContext";
		}
		if (v instanceof TemplateFunction) {
			return "function";
		}
		return v.getClass().getSimpleName();
	}

	static boolean truthy(Object v) {
		if (v == null || v instanceof Undefined) {
			return false;
		}
		if (v instanceof Boolean b) {
			return b;
		}
		if (v instanceof Long l) {
			return l != 0;
		}
		if (v instanceof Double d) {
			return d != 0.0;
		}
		if (v instanceof String s) {
			return !s.isEmpty();
		}
		if (v instanceof List<?> l) {
			return !l.isEmpty();
		}
		if (v instanceof Map<?, ?> m) {
			return !m.isEmpty();
		}
		return true;
	}

	/** Python's {@code str(v)}, which {@code {{ v }}} prints. */
	static String str(Object v) {
		if (v instanceof String s) {
			return s;
		}
		if (v instanceof Undefined) {
			return "";
		}
		return repr(v);
	}

	/** Python's {@code repr(v)}. */
	static String repr(Object v) {
		if (v == null) {
			return "None";
		}
		if (v instanceof Boolean b) {
			return b ? "True" : "False";
		}
		if (v instanceof Long) {
			return v.toString();
		}
		if (v instanceof Double d) {
			return floatRepr(d);
		}
		if (v instanceof String s) {
			return stringRepr(s);
		}
		if (v instanceof Tuple t) {
			return join(t, "(", t.size() == 1 ? ",)" : ")");
		}
		if (v instanceof List<?> l) {
			return join(l, "[", "]");
		}
		if (v instanceof Map<?, ?> m) {
			RenderBudget budget = RenderBudget.current();
			StringBuilder sb = new StringBuilder("{");
			boolean first = true;
			for (Map.Entry<?, ?> e : m.entrySet()) {
				if (!first) {
					sb.append(", ");
				}
				first = false;
				sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
				budget.checkString(sb.length());
				budget.checkTime();
			}
			return sb.append('}').toString();
		}
		if (v instanceof Undefined) {
			return "Undefined";
		}
		return v.toString();
	}

	private static String join(List<?> items, String open, String close) {
		RenderBudget budget = RenderBudget.current();
		StringBuilder sb = new StringBuilder(open);
		for (int i = 0; i < items.size(); i++) {
			if (i > 0) {
				sb.append(", ");
			}
			sb.append(repr(items.get(i)));
			budget.checkString(sb.length());
			budget.checkTime();
		}
		return sb.append(close).toString();
	}

	/**
	 * Python's float repr: shortest round-trip digits, positional for exponents -4..15.
	 */
	static String floatRepr(double d) {
		if (Double.isNaN(d)) {
			return "nan";
		}
		if (Double.isInfinite(d)) {
			return d > 0 ? "inf" : "-inf";
		}
		if (d == 0) {
			return (1 / d < 0) ? "-0.0" : "0.0";
		}
		BigDecimal exact = shortestDecimal(Math.abs(d));
		String digits = exact.unscaledValue().toString();
		int exponent = digits.length() - 1 - exact.scale();
		String sign = d < 0 ? "-" : "";
		if (exponent >= -5 + 1 && exponent < 16) {
			String plain = exact.toPlainString();
			return sign + (plain.contains(".") ? plain : plain + ".0");
		}
		String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
		return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
	}

	/**
	 * The shortest decimal that reads back as {@code d}, as Python's repr finds it. (Java
	 * 17's Double.toString is not always shortest: it writes 2e23 as
	 * 1.9999999999999998E23.)
	 */
	private static BigDecimal shortestDecimal(double d) {
		BigDecimal exact = new BigDecimal(d);
		for (int digits = 1; digits < 17; digits++) {
			BigDecimal rounded = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
			if (rounded.doubleValue() == d) {
				return rounded.stripTrailingZeros();
			}
		}
		return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
	}

	private static String stringRepr(String s) {
		char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
		StringBuilder sb = new StringBuilder().append(quote);
		s.codePoints().forEach(cp -> {
			if (cp == quote || cp == '\\') {
				sb.append('\\').appendCodePoint(cp);
			}
			else if (cp == '\n') {
				sb.append("\\n");
			}
			else if (cp == '\r') {
				sb.append("\\r");
			}
			else if (cp == '\t') {
				sb.append("\\t");
			}
			else if (cp == ' ' || isPrintable(cp)) {
				sb.appendCodePoint(cp);
			}
			else if (cp < 0x100) {
				sb.append(String.format("\\x%02x", cp));
			}
			else if (cp < 0x10000) {
				sb.append(String.format("\\u%04x", cp));
			}
			else {
				sb.append(String.format("\\U%08x", cp));
			}
		});
		return sb.append(quote).toString();
	}

	private static boolean isPrintable(int cp) {
		return switch (Character.getType(cp)) {
			case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
					Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR ->
				false;
			default -> true;
		};
	}

	/**
	 * Python's {@code ==}: numbers by value (True == 1), containers element by element.
	 */
	static boolean equal(Object a, Object b) {
		if (a == b) {
			return true;
		}
		if (a == null || b == null) {
			return false;
		}
		if (isNumber(a) && isNumber(b)) {
			if (a instanceof Double || b instanceof Double) {
				return toDouble(a) == toDouble(b);
			}
			return toLong(a) == toLong(b);
		}
		if (a instanceof String || b instanceof String) {
			return a.equals(b);
		}
		if (a instanceof List<?> la && b instanceof List<?> lb) {
			if ((a instanceof Tuple) != (b instanceof Tuple) || la.size() != lb.size()) {
				return false;
			}
			RenderBudget budget = RenderBudget.current();
			for (int i = 0; i < la.size(); i++) {
				budget.checkTime();
				if (!equal(la.get(i), lb.get(i))) {
					return false;
				}
			}
			return true;
		}
		if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
			if (ma.size() != mb.size()) {
				return false;
			}
			for (Map.Entry<?, ?> e : ma.entrySet()) {
				if (!mb.containsKey(e.getKey()) || !equal(e.getValue(), mb.get(e.getKey()))) {
					return false;
				}
			}
			return true;
		}
		if (a instanceof Undefined && b instanceof Undefined) {
			return true;
		}
		return a.equals(b);
	}

	/**
	 * Python's ordering for {@code < <= > >=} and sorting; other mixes are a TypeError.
	 */
	static int compare(Object a, Object b, String op) {
		if (isNumber(a) && isNumber(b)) {
			if (a instanceof Double || b instanceof Double) {
				return Double.compare(toDouble(a), toDouble(b));
			}
			return Long.compare(toLong(a), toLong(b));
		}
		if (a instanceof String sa && b instanceof String sb) {
			return compareCodePoints(sa, sb);
		}
		if (a instanceof List<?> la && b instanceof List<?> lb) {
			for (int i = 0; i < Math.min(la.size(), lb.size()); i++) {
				if (!equal(la.get(i), lb.get(i))) {
					return compare(la.get(i), lb.get(i), op);
				}
			}
			return Integer.compare(la.size(), lb.size());
		}
		if (a instanceof Undefined u) {
			throw u.fail();
		}
		if (b instanceof Undefined u) {
			throw u.fail();
		}
		throw new EvalError(
				"'" + op + "' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
	}

	private static int compareCodePoints(String a, String b) {
		int i = 0;
		int j = 0;
		while (i < a.length() && j < b.length()) {
			int ca = a.codePointAt(i);
			int cb = b.codePointAt(j);
			if (ca != cb) {
				return Integer.compare(ca, cb);
			}
			i += Character.charCount(ca);
			j += Character.charCount(cb);
		}
		return Integer.compare(a.length() - i, b.length() - j);
	}

	static boolean isNumber(Object v) {
		return v instanceof Long || v instanceof Double || v instanceof Boolean;
	}

	static long toLong(Object v) {
		return v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).longValue();
	}

	static double toDouble(Object v) {
		return v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
	}

	/** Python's {@code iter(v)} as a list: strings give characters, dicts their keys. */
	static List<Object> iterate(Object v) {
		if (v instanceof List<?> l) {
			return new ArrayList<>(l);
		}
		if (v instanceof Map<?, ?> m) {
			return new ArrayList<>(m.keySet());
		}
		if (v instanceof String s) {
			// one String object per character: checked before it is built
			RenderBudget.current().checkList(s.codePointCount(0, s.length()));
			List<Object> chars = new ArrayList<>();
			s.codePoints().forEach(cp -> chars.add(new String(Character.toChars(cp))));
			return chars;
		}
		if (v instanceof Undefined) {
			return new ArrayList<>();
		}
		throw new EvalError("'" + typeName(v) + "' object is not iterable");
	}

	static boolean isIterable(Object v) {
		return v instanceof List || v instanceof Map || v instanceof String || v instanceof Undefined;
	}

	/** Python's {@code len(v)}; strings count code points. */
	static long length(Object v) {
		if (v instanceof String s) {
			return s.codePointCount(0, s.length());
		}
		if (v instanceof List<?> l) {
			return l.size();
		}
		if (v instanceof Map<?, ?> m) {
			return m.size();
		}
		if (v instanceof Undefined) {
			return 0;
		}
		throw new EvalError("object of type '" + typeName(v) + "' has no len()");
	}

	/** Python's {@code item in container}. */
	static boolean contains(Object container, Object item) {
		if (container instanceof String s) {
			if (!(item instanceof String sub)) {
				throw new EvalError("'in <string>' requires string as left operand, not " + typeName(item));
			}
			return Search.indexOf(s, sub, 0) >= 0;
		}
		if (container instanceof Map<?, ?> m) {
			for (Object key : m.keySet()) {
				if (equal(key, item)) {
					return true;
				}
			}
			return false;
		}
		if (container instanceof List<?> l) {
			RenderBudget budget = RenderBudget.current();
			for (Object element : l) {
				budget.checkTime();
				if (equal(element, item)) {
					return true;
				}
			}
			return false;
		}
		if (container instanceof Undefined) {
			return false;
		}
		throw new EvalError("argument of type '" + typeName(container) + "' is not iterable");
	}

	/**
	 * A template value with {@code f} applied to every string in it, map keys included.
	 */
	static Object mapStrings(Object v, UnaryOperator<String> f) {
		if (v instanceof String s) {
			return f.apply(s);
		}
		if (v instanceof List<?> list) {
			List<Object> mapped = new ArrayList<>(list.size());
			list.forEach(item -> mapped.add(mapStrings(item, f)));
			return v instanceof Tuple ? new Tuple(mapped) : mapped;
		}
		if (v instanceof Map<?, ?> map) {
			Map<Object, Object> mapped = new java.util.LinkedHashMap<>();
			map.forEach((key, value) -> mapped.put(mapStrings(key, f), mapStrings(value, f)));
			return mapped;
		}
		return v;
	}

	/**
	 * Deeper nesting than this in a render context is refused (it is most likely a
	 * cycle).
	 */
	private static final int MAX_CONTEXT_DEPTH = 256;

	/**
	 * Converts a value from Java callers into a template value: ints become Long, floats
	 * Double, character sequences String, collections and arrays lists, maps
	 * LinkedHashMaps, chat messages dicts. Template values pass unchanged.
	 * @throws IllegalArgumentException for a type templates cannot use
	 */
	static Object fromJava(Object v) {
		return fromJava(v, 0);
	}

	private static Object fromJava(Object v, int depth) {
		if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double
				|| v instanceof Tuple || v instanceof Undefined || v instanceof Namespace || v instanceof LoopInfo
				|| v instanceof TemplateFunction) {
			return v;
		}
		if (depth > MAX_CONTEXT_DEPTH) {
			throw new IllegalArgumentException("context nested deeper than " + MAX_CONTEXT_DEPTH + " levels");
		}
		if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
			return ((Number) v).longValue();
		}
		if (v instanceof Float f) {
			return f.doubleValue();
		}
		if (v instanceof java.math.BigInteger b && b.bitLength() < 64) {
			return b.longValue();
		}
		if (v instanceof CharSequence cs) {
			return cs.toString();
		}
		if (v instanceof ChatMessage message) {
			return fromJava(message.toMap(), depth + 1);
		}
		if (v instanceof Map<?, ?> map) {
			Map<Object, Object> copy = new java.util.LinkedHashMap<>();
			map.forEach((key, value) -> copy.put(fromJava(key, depth + 1), fromJava(value, depth + 1)));
			return copy;
		}
		if (v instanceof Iterable<?> items) {
			List<Object> copy = new ArrayList<>();
			items.forEach(item -> copy.add(fromJava(item, depth + 1)));
			return copy;
		}
		if (v instanceof Object[] array) {
			return fromJava(java.util.Arrays.asList(array), depth);
		}
		throw new IllegalArgumentException("a template cannot use a value of type " + v.getClass().getName());
	}

}
