package dev.llcuda.template;

import java.util.List;

/** Statements of a parsed template. */
sealed interface Node {

	record Text(String text) implements Node {
	}

	record Print(Expr expr) implements Node {
	}

	record If(List<Branch> branches, List<Node> otherwise) implements Node {
	}

	record Branch(Expr condition, List<Node> body) {
	}

	/**
	 * {@code for target in iterable [if filter]} with an optional {@code else} body for
	 * no items.
	 */
	record For(Target target, Expr iterable, Expr filter, List<Node> body, List<Node> otherwise,
			int line) implements Node {
	}

	record Set(Target target, Expr value, int line) implements Node {
	}

	/** {@code {% set name %}...{% endset %}}: captures the rendered body. */
	record SetBlock(String name, List<Node> body) implements Node {
	}

	record MacroDef(String name, List<Param> params, List<Node> body) implements Node {
	}

	record Param(String name, Expr defaultValue) {
	}

	/**
	 * {@code {% generation %}}: Hugging Face marks assistant tokens; rendering is
	 * unchanged.
	 */
	record Generation(List<Node> body) implements Node {
	}

	record Break(int line) implements Node {
	}

	record Continue(int line) implements Node {
	}

	/** What a {@code set} or {@code for} assigns to. */
	sealed interface Target {

	}

	record NameTarget(String name) implements Target {
	}

	record AttrTarget(String object, String attribute) implements Target {
	}

	record TupleTarget(List<String> names) implements Target {
	}

}
