package dev.llcuda.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Jinja2's {@code obj.name} and {@code obj[key]}: attributes (including the str and dict
 * methods templates call) win for dotted access, items for subscripts, and a miss is
 * undefined rather than an error. Changing methods such as {@code list.append} are
 * refused as Hugging Face's immutable sandbox does.
 */
final class Access {

	private Access() {
	}

	static Object attribute(Object obj, String name) {
		if (obj instanceof Undefined u) {
			throw u.fail();
		}
		if (obj instanceof Namespace ns) {
			return ns.attributes.containsKey(name) ? ns.attributes.get(name) : Undefined.attribute(obj, name);
		}
		if (obj instanceof LoopInfo loop) {
			return loop.attribute(name);
		}
		TemplateFunction method = Methods.bind(obj, name);
		if (method != null) {
			return method;
		}
		if (obj instanceof Map<?, ?> map && map.containsKey(name)) {
			return map.get(name);
		}
		return Undefined.attribute(obj, name);
	}

	static Object item(Object obj, Object key) {
		if (obj instanceof Undefined u) {
			throw u.fail();
		}
		if (obj instanceof Map<?, ?> map) {
			if (map.containsKey(key)) {
				return map.get(key);
			}
			if (!(key instanceof String)) {
				for (Map.Entry<?, ?> e : map.entrySet()) {
					if (Values.equal(e.getKey(), key)) {
						return e.getValue();
					}
				}
			}
		}
		else if ((obj instanceof List || obj instanceof String) && (key instanceof Long || key instanceof Boolean)) {
			int size = obj instanceof String s ? s.codePointCount(0, s.length()) : ((List<?>) obj).size();
			long index = Values.toLong(key);
			if (index < 0) {
				index += size;
			}
			if (index >= 0 && index < size) {
				if (obj instanceof String s) {
					int at = s.offsetByCodePoints(0, (int) index);
					return s.substring(at, s.offsetByCodePoints(at, 1));
				}
				return ((List<?>) obj).get((int) index);
			}
			return Undefined.attribute(obj, key);
		}
		if (key instanceof String name) {
			return attribute(obj, name);
		}
		return Undefined.attribute(obj, key);
	}

	/** Python's {@code obj[start:stop:step]} on lists, tuples and strings. */
	static Object slice(Object obj, Object start, Object stop, Object step) {
		if (obj instanceof Undefined u) {
			throw u.fail();
		}
		if (!(obj instanceof List || obj instanceof String)) {
			throw new EvalError("'" + Values.typeName(obj) + "' object is not subscriptable");
		}
		// a string is sliced by code points, without a list of its characters
		boolean isText = obj instanceof String;
		int[] codePoints = obj instanceof String s ? s.codePoints().toArray() : new int[0];
		List<?> list = obj instanceof List<?> l ? l : List.of();
		int n = isText ? codePoints.length : list.size();
		long by = step == null ? 1 : index(step);
		if (by == 0) {
			throw new EvalError("slice step cannot be zero");
		}
		long from = by > 0 ? bound(start, n, 0, 0, n) : bound(start, n, n - 1, -1, n - 1);
		long to = by > 0 ? bound(stop, n, n, 0, n) : bound(stop, n, -1, -1, n - 1);
		StringBuilder text = new StringBuilder();
		List<Object> items = new ArrayList<>();
		for (long i = from; by > 0 ? i < to : i > to; i += by) {
			if (isText) {
				text.appendCodePoint(codePoints[(int) i]);
			}
			else {
				items.add(list.get((int) i));
			}
		}
		if (isText) {
			return text.toString();
		}
		return obj instanceof Tuple ? new Tuple(items) : items;
	}

	private static long bound(Object value, int n, long absent, long low, long high) {
		if (value == null) {
			return absent;
		}
		long i = index(value);
		if (i < 0) {
			i += n;
		}
		return Math.max(low, Math.min(high, i));
	}

	private static long index(Object value) {
		if (!(value instanceof Long || value instanceof Boolean)) {
			throw new EvalError("slice indices must be integers or None, not " + Values.typeName(value));
		}
		return Values.toLong(value);
	}

}
