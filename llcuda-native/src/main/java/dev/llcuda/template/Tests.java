package dev.llcuda.template;

import java.util.List;
import java.util.Map;

/**
 * Jinja2's tests ({@code x is defined}, {@code x is string}, {@code x is equalto y},
 * ...).
 */
final class Tests {

	private Tests() {
	}

	static boolean apply(String name, Object value, List<Object> args, Map<String, Object> kwargs) {
		switch (name) {
			case "defined":
				return !(value instanceof Undefined);
			case "undefined":
				return value instanceof Undefined;
			case "none":
				return value == null;
			case "boolean":
				return value instanceof Boolean;
			case "true":
				return Boolean.TRUE.equals(value);
			case "false":
				return Boolean.FALSE.equals(value);
			case "integer":
				return value instanceof Long;
			case "float":
				return value instanceof Double;
			case "number":
				return Values.isNumber(value);
			case "string":
				return value instanceof String;
			case "mapping":
				return value instanceof Map;
			case "iterable":
				return Values.isIterable(value);
			case "sequence":
				return value instanceof List || value instanceof Map || value instanceof String
						|| value instanceof Undefined;
			case "callable":
				return value instanceof TemplateFunction;
			case "lower":
				return value instanceof String s && s.equals(s.toLowerCase(java.util.Locale.ROOT));
			case "upper":
				return value instanceof String s && s.equals(s.toUpperCase(java.util.Locale.ROOT));
			case "odd":
			case "even": {
				long v = Values.toLong(integer(name, value));
				return (Math.floorMod(v, 2) == 1) == name.equals("odd");
			}
			case "divisibleby": {
				long d = Values.toLong(integer(name, new Args(name, args, kwargs, "num").required(0)));
				if (d == 0) {
					throw new EvalError("integer division or modulo by zero");
				}
				return Math.floorMod(Values.toLong(integer(name, value)), d) == 0;
			}
			case "sameas": {
				Object other = new Args(name, args, kwargs, "other").required(0);
				return value == other || (value instanceof Boolean && value.equals(other));
			}
			case "in":
				return Values.contains(new Args(name, args, kwargs, "seq").required(0), value);
			default:
				return comparison(name, value, args, kwargs);
		}
	}

	private static boolean comparison(String name, Object value, List<Object> args, Map<String, Object> kwargs) {
		String op = switch (name) {
			case "eq", "equalto", "==" -> "==";
			case "ne", "!=" -> "!=";
			case "lt", "lessthan", "<" -> "<";
			case "le", "<=" -> "<=";
			case "gt", "greaterthan", ">" -> ">";
			case "ge", ">=" -> ">=";
			default -> throw new EvalError("no test named '" + name + "'");
		};
		Object other = new Args(name, args, kwargs, "other").required(0);
		return Operators.compare(op, value, other);
	}

	private static Object integer(String test, Object value) {
		if (!(value instanceof Long || value instanceof Boolean)) {
			throw new EvalError("test '" + test + "' needs an integer, not " + Values.typeName(value));
		}
		return value;
	}

}
