package dev.llcuda.template;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Jinja2's filters as chat templates use them, with Hugging Face's {@code tojson}. */
final class Filters {

	private Filters() {
	}

	static Object apply(String name, Object value, List<Object> a, Map<String, Object> k) {
		switch (name) {
			case "length":
			case "count":
				new Args(name, a, k);
				return Values.length(value);
			case "string":
				new Args(name, a, k);
				return Values.str(value);
			case "trim": {
				Object chars = new Args(name, a, k, "chars").get(0, null);
				return Methods.strip(Values.str(value), chars == null ? null : Values.str(chars), true, true);
			}
			case "upper":
				new Args(name, a, k);
				return Values.str(value).toUpperCase(Locale.ROOT);
			case "lower":
				new Args(name, a, k);
				return Values.str(value).toLowerCase(Locale.ROOT);
			case "capitalize":
				new Args(name, a, k);
				return Methods.capitalize(Values.str(value));
			case "title":
				new Args(name, a, k);
				return titleWords(Values.str(value));
			case "replace": {
				Args args = new Args(name, a, k, "old", "new", "count");
				TemplateFunction replace = Methods.bind(Values.str(value), "replace");
				List<Object> pass = new ArrayList<>(List.of(args.string(0), args.string(1)));
				if (args.has(2) && args.get(2, null) != null) {
					pass.add(args.get(2, null));
				}
				return replace.call(pass, Map.of());
			}
			case "default":
			case "d": {
				Args args = new Args(name, a, k, "default_value", "boolean");
				boolean replace = value instanceof Undefined || (args.bool(1, false) && !Values.truthy(value));
				return replace ? args.get(0, "") : value;
			}
			case "tojson":
				return toJson(value, new Args(name, a, k, "ensure_ascii", "indent", "separators", "sort_keys"));
			case "items":
				new Args(name, a, k);
				if (value instanceof Undefined) {
					return new ArrayList<>();
				}
				if (!(value instanceof Map)) {
					throw new EvalError("Can only get item pairs from a mapping.");
				}
				return Methods.bind(value, "items").call(List.of(), Map.of());
			case "list":
				new Args(name, a, k);
				return Values.iterate(value);
			case "join":
				return join(value, new Args(name, a, k, "d", "attribute"));
			case "first": {
				new Args(name, a, k);
				if (value instanceof String s) {
					return s.isEmpty() ? new Undefined("No first item, sequence was empty.")
							: s.substring(0, s.offsetByCodePoints(0, 1));
				}
				List<Object> items = Values.iterate(value);
				return items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.get(0);
			}
			case "last": {
				new Args(name, a, k);
				if (value instanceof String s) {
					return s.isEmpty() ? new Undefined("No last item, sequence was empty.")
							: s.substring(s.offsetByCodePoints(s.length(), -1));
				}
				List<Object> items = Values.iterate(value);
				return items.isEmpty() ? new Undefined("No last item, sequence was empty.")
						: items.get(items.size() - 1);
			}
			case "reverse":
				new Args(name, a, k);
				return reverse(value);
			case "int":
				return toInt(value, new Args(name, a, k, "default", "base"));
			case "float":
				return toFloat(value, new Args(name, a, k, "default"));
			case "abs":
				new Args(name, a, k);
				if (value instanceof Double d) {
					return Math.abs(d);
				}
				if (value instanceof Long || value instanceof Boolean) {
					return Math.abs(Values.toLong(value));
				}
				throw new EvalError("bad operand type for abs(): '" + Values.typeName(value) + "'");
			case "round":
				return round(value, new Args(name, a, k, "precision", "method"));
			case "attr":
				return Access.attribute(value, new Args(name, a, k, "name").string(0));
			case "safe":
				new Args(name, a, k);
				return value;
			case "indent":
				return indent(Values.str(value), new Args(name, a, k, "width", "first", "blank"));
			case "sort":
				return sort(value, new Args(name, a, k, "reverse", "case_sensitive", "attribute"));
			case "unique":
				return unique(value, new Args(name, a, k, "case_sensitive", "attribute"));
			case "min":
			case "max":
				return extreme(value, name, new Args(name, a, k, "case_sensitive", "attribute"));
			case "sum":
				return sum(value, new Args(name, a, k, "attribute", "start"));
			case "map":
				return map(value, a, k);
			case "select":
			case "reject":
				return select(value, name.equals("select"), null, a, k);
			case "selectattr":
			case "rejectattr": {
				if (a.isEmpty()) {
					throw new EvalError(name + "() missing the attribute name");
				}
				String attribute = Values.str(a.get(0));
				return select(value, name.equals("selectattr"), attribute, a.subList(1, a.size()), k);
			}
			default:
				throw new EvalError("no filter named '" + name + "'");
		}
	}

	private static String toJson(Object value, Args args) {
		Object indent = args.get(1, null);
		String indentText = indent == null ? null
				: indent instanceof String s ? s : " ".repeat((int) Math.max(0, Math.min(64, Values.toLong(indent))));
		String[] separators = null;
		if (args.get(2, null) instanceof List<?> pair && pair.size() == 2) {
			separators = new String[] { Values.str(pair.get(0)), Values.str(pair.get(1)) };
		}
		return new JsonWriter(indentText, separators, args.bool(3, false), args.bool(0, false)).write(value);
	}

	private static String join(Object value, Args args) {
		String separator = Values.str(args.get(0, ""));
		Object attribute = args.get(1, null);
		RenderBudget budget = RenderBudget.current();
		StringBuilder sb = new StringBuilder();
		List<Object> items = Values.iterate(value);
		for (int i = 0; i < items.size(); i++) {
			if (i > 0) {
				sb.append(separator);
			}
			Object item = items.get(i);
			sb.append(Values.str(attribute == null ? item : lookup(item, attribute)));
			budget.checkString(sb.length());
			budget.checkTime();
		}
		return sb.toString();
	}

	/** An attribute path such as {@code "function.name"}, or an integer index. */
	private static Object lookup(Object item, Object attribute) {
		if (!(attribute instanceof String path)) {
			return Access.item(item, attribute);
		}
		Object current = item;
		for (String part : path.split("\\.")) {
			current = part.chars().allMatch(Character::isDigit) && !part.isEmpty()
					? Access.item(current, Long.parseLong(part)) : Access.item(current, part);
		}
		return current;
	}

	private static Object reverse(Object value) {
		if (value instanceof String s) {
			return new StringBuilder(s).reverse().toString(); // keeps surrogate pairs in
																// order
		}
		List<Object> items = Values.iterate(value);
		Collections.reverse(items);
		return items;
	}

	private static Object toInt(Object value, Args args) {
		Object fallback = args.get(0, 0L);
		long base = Values.toLong(args.integer(1, 10L));
		if (value instanceof Long || value instanceof Boolean) {
			return Values.toLong(value);
		}
		if (value instanceof Double d) {
			return Double.isFinite(d) ? (Object) (long) d.doubleValue() : fallback;
		}
		if (value instanceof String s) {
			String text = Methods.strip(s, null, true, true).replace("_", "");
			try {
				return Long.parseLong(text, (int) base);
			}
			catch (NumberFormatException e) {
				try {
					return (long) Double.parseDouble(text);
				}
				catch (NumberFormatException e2) {
					return fallback;
				}
			}
		}
		return fallback;
	}

	private static Object toFloat(Object value, Args args) {
		Object fallback = args.get(0, 0.0);
		if (Values.isNumber(value)) {
			return Values.toDouble(value);
		}
		if (value instanceof String s) {
			try {
				return Double.parseDouble(Methods.strip(s, null, true, true));
			}
			catch (NumberFormatException e) {
				return fallback;
			}
		}
		return fallback;
	}

	private static Object round(Object value, Args args) {
		long precision = Values.toLong(args.integer(0, 0L));
		String method = Values.str(args.get(1, "common"));
		if (!Values.isNumber(value)) {
			throw new EvalError("round() needs a number, not " + Values.typeName(value));
		}
		RoundingMode mode = switch (method) {
			case "common" -> RoundingMode.HALF_EVEN;
			case "ceil" -> RoundingMode.CEILING;
			case "floor" -> RoundingMode.FLOOR;
			default -> throw new EvalError("method must be common, ceil or floor");
		};
		double d = Values.toDouble(value);
		if (!Double.isFinite(d)) {
			return d;
		}
		// Python rounds the exact binary value, so round(2.675, 2) is 2.67.
		return new BigDecimal(d).setScale((int) precision, mode).doubleValue();
	}

	private static String indent(String s, Args args) {
		Object width = args.get(0, 4L);
		String pad = width instanceof String w ? w : " ".repeat((int) Math.max(0, Math.min(256, Values.toLong(width))));
		boolean first = args.bool(1, false);
		boolean blank = args.bool(2, false);
		String[] lines = s.split("\n", -1);
		RenderBudget budget = RenderBudget.current();
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < lines.length; i++) {
			budget.checkString(sb.length() + (long) pad.length());
			if (i > 0) {
				sb.append('\n');
			}
			boolean indentThis = (i > 0 || first) && (blank || !lines[i].isBlank());
			sb.append(indentThis ? pad : "").append(lines[i]);
		}
		return sb.toString();
	}

	private static Comparator<Object> ordering(boolean caseSensitive, Object attribute) {
		RenderBudget budget = RenderBudget.current();
		return (x, y) -> {
			budget.checkTime();
			Object kx = sortKey(x, caseSensitive, attribute);
			Object ky = sortKey(y, caseSensitive, attribute);
			return Values.compare(kx, ky, "<");
		};
	}

	private static Object sortKey(Object item, boolean caseSensitive, Object attribute) {
		Object key = attribute == null ? item : lookup(item, attribute);
		return !caseSensitive && key instanceof String s ? s.toLowerCase(Locale.ROOT) : key;
	}

	private static Object sort(Object value, Args args) {
		List<Object> items = Values.iterate(value);
		Comparator<Object> order = ordering(args.bool(1, false), args.get(2, null));
		items.sort(args.bool(0, false) ? order.reversed() : order);
		return items;
	}

	private static Object unique(Object value, Args args) {
		RenderBudget budget = RenderBudget.current();
		List<Object> out = new ArrayList<>();
		List<Object> seen = new ArrayList<>();
		for (Object item : Values.iterate(value)) {
			budget.checkTime();
			Object key = sortKey(item, args.bool(0, false), args.get(1, null));
			if (seen.stream().noneMatch(s -> Values.equal(s, key))) {
				seen.add(key);
				out.add(item);
			}
		}
		return out;
	}

	private static Object extreme(Object value, String name, Args args) {
		List<Object> items = Values.iterate(value);
		if (items.isEmpty()) {
			return new Undefined("No aggregated item, sequence was empty.");
		}
		Comparator<Object> order = ordering(args.bool(0, false), args.get(1, null));
		return name.equals("min") ? Collections.min(items, order) : Collections.max(items, order);
	}

	private static Object sum(Object value, Args args) {
		Object total = args.get(1, 0L);
		Object attribute = args.get(0, null);
		RenderBudget budget = RenderBudget.current();
		for (Object item : Values.iterate(value)) {
			budget.checkTime();
			total = Operators.binary("+", total, attribute == null ? item : lookup(item, attribute));
		}
		return total;
	}

	private static Object map(Object value, List<Object> a, Map<String, Object> k) {
		List<Object> out = new ArrayList<>();
		if (k.containsKey("attribute")) {
			Object attribute = k.get("attribute");
			boolean hasDefault = k.containsKey("default");
			for (Object item : Values.iterate(value)) {
				Object v = lookup(item, attribute);
				out.add(hasDefault && v instanceof Undefined ? k.get("default") : v);
			}
			return out;
		}
		if (a.isEmpty()) {
			throw new EvalError("map() needs a filter name or attribute=");
		}
		String filter = Values.str(a.get(0));
		RenderBudget budget = RenderBudget.current();
		for (Object item : Values.iterate(value)) {
			Object mapped = apply(filter, item, a.subList(1, a.size()), k);
			budget.created(mapped instanceof String m ? m.length() : 1); // each result
																			// may be a
																			// new string
			out.add(mapped);
		}
		return out;
	}

	private static Object select(Object value, boolean keep, String attribute, List<Object> a, Map<String, Object> k) {
		RenderBudget budget = RenderBudget.current();
		List<Object> out = new ArrayList<>();
		for (Object item : Values.iterate(value)) {
			budget.checkTime();
			Object subject = attribute == null ? item : lookup(item, attribute);
			boolean passed = a.isEmpty() ? Values.truthy(subject)
					: Tests.apply(Values.str(a.get(0)), subject, a.subList(1, a.size()), k);
			if (passed == keep) {
				out.add(item);
			}
		}
		return out;
	}

	/**
	 * Jinja2's title filter: each word (split at spaces, dashes and brackets)
	 * capitalised.
	 */
	private static String titleWords(String s) {
		StringBuilder sb = new StringBuilder();
		boolean wordStart = true;
		for (int i = 0; i < s.length();) {
			int cp = s.codePointAt(i);
			boolean separator = Methods.isSpace(cp) || "-({[<".indexOf(cp) >= 0;
			if (separator) {
				sb.appendCodePoint(cp);
			}
			else {
				sb.appendCodePoint(wordStart ? Character.toUpperCase(cp) : Character.toLowerCase(cp));
			}
			wordStart = separator;
			i += Character.charCount(cp);
		}
		return sb.toString();
	}

}
