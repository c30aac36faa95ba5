package dev.llcuda.template;

/** One lexical token; {@code value} holds the parsed literal for strings and numbers. */
record Token(Kind kind, String text, Object value, int line) {

	enum Kind {

		TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF

	}

	boolean is(Kind k, String t) {
		return kind == k && text.equals(t);
	}

	boolean isOp(String op) {
		return is(Kind.OP, op);
	}

	boolean isName(String name) {
		return is(Kind.NAME, name);
	}

	String describe() {
		return switch (kind) {
			case EOF -> "end of template";
			case TEXT -> "template text";
			case VAR_END, BLOCK_END -> "end of tag '" + text + "'";
			default -> "'" + text + "'";
		};
	}
}
