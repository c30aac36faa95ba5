package dev.llcuda.template;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The Python methods of str, dict and list that chat templates call, bound to their
 * receiver.
 */
final class Methods {

	private Methods() {
	}

	/** The bound method, or null when the receiver's type has no such (safe) method. */
	static TemplateFunction bind(Object receiver, String name) {
		if (receiver instanceof String s) {
			return string(s, name);
		}
		if (receiver instanceof Map<?, ?> m) {
			return dict(m, name);
		}
		if (receiver instanceof List<?> l) {
			return list(l, name);
		}
		return null;
	}

	private static TemplateFunction string(String s, String name) {
		return switch (name) {
			case "strip" -> (a, k) -> strip(s, chars(a, k, name), true, true);
			case "lstrip" -> (a, k) -> strip(s, chars(a, k, name), true, false);
			case "rstrip" -> (a, k) -> strip(s, chars(a, k, name), false, true);
			case "split" -> (a, k) -> split(s, new Args(name, a, k, "sep", "maxsplit"));
			case "startswith" -> (a, k) -> affix(s, new Args(name, a, k, "prefix"), true);
			case "endswith" -> (a, k) -> affix(s, new Args(name, a, k, "suffix"), false);
			case "replace" -> (a, k) -> replace(s, new Args(name, a, k, "old", "new", "count"));
			case "upper" -> (a, k) -> noArgs(name, a, k, s.toUpperCase(Locale.ROOT));
			case "lower" -> (a, k) -> noArgs(name, a, k, s.toLowerCase(Locale.ROOT));
			case "title" -> (a, k) -> noArgs(name, a, k, title(s));
			case "capitalize" -> (a, k) -> noArgs(name, a, k, capitalize(s));
			case "find" -> (a, k) -> find(s, new Args(name, a, k, "sub"));
			case "count" -> (a, k) -> count(s, new Args(name, a, k, "sub"));
			case "join" -> (a, k) -> join(s, new Args(name, a, k, "iterable"));
			case "isdigit" -> (a, k) -> noArgs(name, a, k, !s.isEmpty() && s.codePoints().allMatch(Character::isDigit));
			case "isspace" -> (a, k) -> noArgs(name, a, k, !s.isEmpty() && s.codePoints().allMatch(Methods::isSpace));
			default -> null;
		};
	}

	private static TemplateFunction dict(Map<?, ?> m, String name) {
		return switch (name) {
			case "items" -> (a, k) -> {
				noArgs(name, a, k, null);
				List<Object> pairs = new ArrayList<>();
				m.forEach((key, value) -> pairs.add(new Tuple(java.util.Arrays.asList(key, value))));
				return pairs;
			};
			case "keys" -> (a, k) -> noArgs(name, a, k, new ArrayList<Object>(m.keySet()));
			case "values" -> (a, k) -> noArgs(name, a, k, new ArrayList<Object>(m.values()));
			case "get" -> (a, k) -> {
				Args args = new Args(name, a, k, "key", "default");
				Object key = args.required(0);
				return m.containsKey(key) ? m.get(key) : args.get(1, null);
			};
			case "pop", "popitem", "update", "setdefault", "clear" -> unsafe(m, name);
			default -> null;
		};
	}

	private static TemplateFunction list(List<?> l, String name) {
		return switch (name) {
			case "index" -> (a, k) -> {
				Object item = new Args(name, a, k, "value").required(0);
				for (int i = 0; i < l.size(); i++) {
					if (Values.equal(l.get(i), item)) {
						return (long) i;
					}
				}
				throw new EvalError(Values.repr(item) + " is not in list");
			};
			case "count" -> (a, k) -> {
				Object item = new Args(name, a, k, "value").required(0);
				return l.stream().filter(e -> Values.equal(e, item)).count();
			};
			case "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse" -> unsafe(l, name);
			default -> null;
		};
	}

	private static TemplateFunction unsafe(Object receiver, String name) {
		return (a, k) -> {
			throw new EvalError(
					"access to attribute '" + name + "' of '" + Values.typeName(receiver) + "' object is unsafe.");
		};
	}

	private static Object noArgs(String name, List<Object> a, Map<String, Object> k, Object result) {
		new Args(name, a, k);
		return result;
	}

	private static String chars(List<Object> a, Map<String, Object> k, String name) {
		Object chars = new Args(name, a, k, "chars").get(0, null);
		if (chars != null && !(chars instanceof String)) {
			throw new EvalError(name + " arg must be None or str");
		}
		return (String) chars;
	}

	/**
	 * Python's isspace for one code point (Unicode whitespace, including NEL and NBSP).
	 */
	static boolean isSpace(int cp) {
		return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85 || (cp >= 0x1c && cp <= 0x1f);
	}

	static String strip(String s, String chars, boolean left, boolean right) {
		IntPredicate stripped = stripped(chars);
		int start = 0;
		int end = s.length();
		while (left && start < end && stripped.test(s.codePointAt(start))) {
			start += Character.charCount(s.codePointAt(start));
		}
		while (right && end > start && stripped.test(s.codePointBefore(end))) {
			end -= Character.charCount(s.codePointBefore(end));
		}
		return s.substring(start, end);
	}

	/**
	 * Whitespace, or the code points of {@code chars} (a set when long, so stripping
	 * stays linear).
	 */
	private static IntPredicate stripped(String chars) {
		if (chars == null) {
			return Methods::isSpace;
		}
		if (chars.length() <= 16) {
			return cp -> chars.indexOf(cp) >= 0;
		}
		Set<Integer> set = new HashSet<>();
		chars.codePoints().forEach(set::add);
		return set::contains;
	}

	private static List<Object> split(String s, Args args) {
		Object sep = args.get(0, null);
		long maxSplit = Values.toLong(args.integer(1, -1L));
		List<Object> parts = new ArrayList<>();
		if (sep == null) {
			int i = 0;
			int n = s.length();
			while (true) {
				while (i < n && isSpace(s.codePointAt(i))) {
					i += Character.charCount(s.codePointAt(i));
				}
				if (i >= n) {
					return parts;
				}
				RenderBudget.current().checkList(parts.size() + 1L);
				if (maxSplit >= 0 && parts.size() == maxSplit) {
					parts.add(strip(s.substring(i), null, false, true));
					return parts;
				}
				int j = i;
				while (j < n && !isSpace(s.codePointAt(j))) {
					j += Character.charCount(s.codePointAt(j));
				}
				parts.add(s.substring(i, j));
				i = j;
			}
		}
		if (!(sep instanceof String separator)) {
			throw new EvalError("must be str or None, not " + Values.typeName(sep));
		}
		if (separator.isEmpty()) {
			throw new EvalError("empty separator");
		}
		RenderBudget budget = RenderBudget.current();
		int from = 0;
		while (maxSplit < 0 || parts.size() < maxSplit) {
			int at = Search.indexOf(s, separator, from);
			if (at < 0) {
				break;
			}
			budget.checkList(parts.size() + 2L);
			parts.add(s.substring(from, at));
			from = at + separator.length();
		}
		parts.add(s.substring(from));
		return parts;
	}

	private static boolean affix(String s, Args args, boolean prefix) {
		Object wanted = args.required(0);
		List<Object> options = wanted instanceof Tuple t ? new ArrayList<>(t) : List.of(wanted);
		for (Object option : options) {
			if (!(option instanceof String o)) {
				throw new EvalError((prefix ? "startswith" : "endswith")
						+ " first arg must be str or a tuple of str, not " + Values.typeName(option));
			}
			if (prefix ? s.startsWith(o) : s.endsWith(o)) {
				return true;
			}
		}
		return false;
	}

	private static String replace(String s, Args args) {
		String old = args.string(0);
		String replacement = args.string(1);
		long count = Values.toLong(args.integer(2, -1L));
		RenderBudget budget = RenderBudget.current();
		StringBuilder sb = new StringBuilder();
		long done = 0;
		if (old.isEmpty()) {
			// the replacement goes before every code point and at the end
			for (int i = 0;; i += Character.charCount(s.codePointAt(i))) {
				if (count < 0 || done++ < count) {
					sb.append(replacement);
					budget.checkString(sb.length());
				}
				if (i >= s.length()) {
					return sb.toString();
				}
				sb.appendCodePoint(s.codePointAt(i));
			}
		}
		int from = 0;
		for (int at = Search.indexOf(s, old, 0); at >= 0
				&& (count < 0 || done++ < count); at = Search.indexOf(s, old, from)) {
			sb.append(s, from, at).append(replacement);
			budget.checkString(sb.length());
			from = at + old.length();
		}
		return sb.append(s.substring(from)).toString();
	}

	private static long find(String s, Args args) {
		int at = Search.indexOf(s, args.string(0), 0);
		return at < 0 ? -1 : s.codePointCount(0, at);
	}

	private static long count(String s, Args args) {
		String sub = args.string(0);
		if (sub.isEmpty()) {
			return s.codePointCount(0, s.length()) + 1;
		}
		long n = 0;
		for (int at = Search.indexOf(s, sub, 0); at >= 0; at = Search.indexOf(s, sub, at + sub.length())) {
			n++;
		}
		return n;
	}

	private static String join(String separator, Args args) {
		RenderBudget budget = RenderBudget.current();
		StringBuilder sb = new StringBuilder();
		List<Object> items = Values.iterate(args.required(0));
		for (int i = 0; i < items.size(); i++) {
			if (!(items.get(i) instanceof String item)) {
				throw new EvalError(
						"sequence item " + i + ": expected str instance, " + Values.typeName(items.get(i)) + " found");
			}
			if (i > 0) {
				sb.append(separator);
			}
			sb.append(item);
			budget.checkString(sb.length());
			budget.checkTime();
		}
		return sb.toString();
	}

	/** Python's str.capitalize: first character upper case, the rest lower case. */
	static String capitalize(String s) {
		if (s.isEmpty()) {
			return s;
		}
		int first = s.codePointAt(0);
		return new String(Character.toChars(Character.toTitleCase(first)))
				+ s.substring(Character.charCount(first)).toLowerCase(Locale.ROOT);
	}

	/**
	 * Python's str.title: upper case after any uncased character, lower case elsewhere.
	 */
	private static String title(String s) {
		StringBuilder sb = new StringBuilder();
		boolean previousCased = false;
		for (int i = 0; i < s.length();) {
			int cp = s.codePointAt(i);
			boolean cased = Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
			sb.appendCodePoint(previousCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp));
			previousCased = cased;
			i += Character.charCount(cp);
		}
		return sb.toString();
	}

}
