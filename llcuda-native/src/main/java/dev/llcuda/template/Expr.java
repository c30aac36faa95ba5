package dev.llcuda.template;

import java.util.List;

/** Expressions of a parsed template; each knows its source line for error messages. */
sealed interface Expr {

	int line();

	record Literal(Object value, int line) implements Expr {
	}

	record Name(String name, int line) implements Expr {
	}

	record ListLiteral(List<Expr> items, int line) implements Expr {
	}

	record TupleLiteral(List<Expr> items, int line) implements Expr {
	}

	record DictLiteral(List<Expr> keys, List<Expr> values, int line) implements Expr {
	}

	record Attribute(Expr object, String name, int line) implements Expr {
	}

	record Item(Expr object, Expr key, int line) implements Expr {
	}

	/** {@code [start:stop:step]}; absent parts are null. */
	record Slice(Expr object, Expr start, Expr stop, Expr step, int line) implements Expr {
	}

	record Call(Expr callee, Arguments args, int line) implements Expr {
	}

	record Filter(Expr operand, String name, Arguments args, int line) implements Expr {
	}

	record Test(Expr operand, String name, Arguments args, boolean negated, int line) implements Expr {
	}

	record Unary(String op, Expr operand, int line) implements Expr {
	}

	record Binary(String op, Expr left, Expr right, int line) implements Expr {
	}

	/** A chain such as {@code a < b <= c} or {@code x not in y}. */
	record Compare(Expr first, List<String> ops, List<Expr> rest, int line) implements Expr {
	}

	/** {@code then if condition else otherwise}; otherwise null gives undefined. */
	record Conditional(Expr condition, Expr then, Expr otherwise, int line) implements Expr {
	}

	/** Positional and keyword arguments of a call, filter or test. */
	record Arguments(List<Expr> positional, List<String> names, List<Expr> named) {
		static final Arguments NONE = new Arguments(List.of(), List.of(), List.of());

	}

}
