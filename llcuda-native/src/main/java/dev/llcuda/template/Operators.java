package dev.llcuda.template;

import java.util.ArrayList;
import java.util.List;

/** Python's arithmetic, concatenation and comparison operators on template values. */
final class Operators {

	private Operators() {
	}

	static Object binary(String op, Object a, Object b) {
		if (a instanceof Undefined u) {
			throw u.fail();
		}
		if (b instanceof Undefined u) {
			throw u.fail();
		}
		return switch (op) {
			case "+" -> add(a, b);
			case "-" -> arithmetic(op, a, b);
			case "*" -> multiply(a, b);
			case "/" -> {
				requireNumbers(op, a, b);
				if (Values.toDouble(b) == 0) {
					throw new EvalError("division by zero");
				}
				yield Values.toDouble(a) / Values.toDouble(b);
			}
			case "//" -> divide(op, a, b);
			case "%" -> {
				if (a instanceof String) {
					throw new EvalError("printf-style '%' string formatting is not supported in chat templates");
				}
				yield divide(op, a, b);
			}
			case "**" -> power(a, b);
			default -> throw new IllegalStateException("unknown operator " + op);
		};
	}

	static boolean compare(String op, Object a, Object b) {
		return switch (op) {
			case "==" -> Values.equal(a, b);
			case "!=" -> !Values.equal(a, b);
			case "<" -> Values.compare(a, b, op) < 0;
			case "<=" -> Values.compare(a, b, op) <= 0;
			case ">" -> Values.compare(a, b, op) > 0;
			case ">=" -> Values.compare(a, b, op) >= 0;
			case "in" -> Values.contains(b, a);
			case "not in" -> !Values.contains(b, a);
			default -> throw new IllegalStateException("unknown comparison " + op);
		};
	}

	static Object negate(Object v) {
		if (v instanceof Undefined u) {
			throw u.fail();
		}
		if (v instanceof Double d) {
			return -d;
		}
		if (v instanceof Long || v instanceof Boolean) {
			return Math.negateExact(Values.toLong(v));
		}
		throw new EvalError("bad operand type for unary -: '" + Values.typeName(v) + "'");
	}

	/**
	 * String concatenation, refused before it is built when the result would be too long.
	 */
	static String concat(String a, String b) {
		RenderBudget.current().checkString((long) a.length() + b.length());
		return a + b;
	}

	private static Object add(Object a, Object b) {
		if (a instanceof String sa && b instanceof String sb) {
			return concat(sa, sb);
		}
		if (a instanceof List<?> la && b instanceof List<?> lb && (a instanceof Tuple) == (b instanceof Tuple)) {
			RenderBudget.current().checkList((long) la.size() + lb.size());
			List<Object> out = new ArrayList<>(la);
			out.addAll(lb);
			return a instanceof Tuple ? new Tuple(out) : out;
		}
		if (a instanceof String) {
			throw new EvalError("can only concatenate str (not \"" + Values.typeName(b) + "\") to str");
		}
		if (a instanceof List && !(a instanceof Tuple)) {
			throw new EvalError("can only concatenate list (not \"" + Values.typeName(b) + "\") to list");
		}
		return arithmetic("+", a, b);
	}

	private static Object multiply(Object a, Object b) {
		if ((a instanceof String || a instanceof List) && (b instanceof Long || b instanceof Boolean)) {
			return repeat(a, Values.toLong(b));
		}
		if ((b instanceof String || b instanceof List) && (a instanceof Long || a instanceof Boolean)) {
			return repeat(b, Values.toLong(a));
		}
		return arithmetic("*", a, b);
	}

	/** Repetition, refused before it is built when the result would be too long. */
	private static Object repeat(Object seq, long times) {
		long n = Math.max(0, times);
		long size = seq instanceof String s ? s.length() : ((List<?>) seq).size();
		long total = size == 0 ? 0 : n > Long.MAX_VALUE / size ? Long.MAX_VALUE : size * n;
		if (seq instanceof String) {
			RenderBudget.current().checkString(total);
		}
		else {
			RenderBudget.current().checkList(total);
		}
		if (seq instanceof String s) {
			return s.repeat((int) n);
		}
		List<Object> out = new ArrayList<>();
		for (long i = 0; i < n; i++) {
			out.addAll((List<?>) seq);
		}
		return seq instanceof Tuple ? new Tuple(out) : out;
	}

	private static Object arithmetic(String op, Object a, Object b) {
		requireNumbers(op, a, b);
		if (a instanceof Double || b instanceof Double) {
			double x = Values.toDouble(a);
			double y = Values.toDouble(b);
			return switch (op) {
				case "+" -> x + y;
				case "-" -> x - y;
				default -> x * y;
			};
		}
		long x = Values.toLong(a);
		long y = Values.toLong(b);
		try {
			return switch (op) {
				case "+" -> Math.addExact(x, y);
				case "-" -> Math.subtractExact(x, y);
				default -> Math.multiplyExact(x, y);
			};
		}
		catch (ArithmeticException e) {
			throw new EvalError("integer overflow in '" + op + "'");
		}
	}

	private static Object divide(String op, Object a, Object b) {
		requireNumbers(op, a, b);
		if (Values.toDouble(b) == 0) {
			throw new EvalError(op.equals("%") ? "modulo by zero" : "integer division or modulo by zero");
		}
		if (a instanceof Double || b instanceof Double) {
			double x = Values.toDouble(a);
			double y = Values.toDouble(b);
			double floor = Math.floor(x / y);
			return op.equals("//") ? floor : x - floor * y;
		}
		long x = Values.toLong(a);
		long y = Values.toLong(b);
		return op.equals("//") ? Math.floorDiv(x, y) : Math.floorMod(x, y);
	}

	private static Object power(Object a, Object b) {
		requireNumbers("**", a, b);
		if (a instanceof Double || b instanceof Double || Values.toLong(b) < 0) {
			return Math.pow(Values.toDouble(a), Values.toDouble(b));
		}
		long base = Values.toLong(a);
		long exponent = Values.toLong(b);
		long result = 1;
		try {
			while (exponent > 0) {
				if ((exponent & 1) == 1) {
					result = Math.multiplyExact(result, base);
				}
				exponent >>= 1;
				if (exponent > 0) {
					base = Math.multiplyExact(base, base);
				}
			}
		}
		catch (ArithmeticException e) {
			throw new EvalError("integer overflow in '**'");
		}
		return result;
	}

	private static void requireNumbers(String op, Object a, Object b) {
		if (!Values.isNumber(a) || !Values.isNumber(b)) {
			throw new EvalError("unsupported operand type(s) for " + op + ": '" + Values.typeName(a) + "' and '"
					+ Values.typeName(b) + "'");
		}
	}

}
