package dev.llcuda.template;

import dev.llcuda.template.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses tokens into statements and expressions with Jinja2's grammar and operator
 * precedence (loosest first): conditional, or, and, not, comparisons and {@code in},
 * {@code + -}, {@code ~}, {@code * / // %}, {@code **}, unary minus, then primaries with
 * attributes, subscripts, calls, filters and tests.
 */
final class Parser {

	private static final java.util.Set<String> COMPARISONS = java.util.Set.of("==", "!=", "<", ">", "<=", ">=");

	/**
	 * Deeper nesting of blocks or expressions is refused instead of overflowing the
	 * stack.
	 */
	static final int MAX_NESTING = 100;

	/** Longer operator chains are refused: evaluating one recurses once per operator. */
	static final int MAX_CHAIN = 256;

	private final String name;

	private final List<Token> tokens;

	private int pos;

	private int nesting;

	/** How many for loops enclose the current statement (within the current macro). */
	private int loopDepth;

	private Parser(String name, List<Token> tokens) {
		this.name = name;
		this.tokens = tokens;
	}

	static List<Node> parse(String name, String source) throws TemplateException {
		Parser parser = new Parser(name, Lexer.tokenize(name, source));
		List<Node> body = parser.body("", "", 0);
		Token end = parser.current();
		if (end.kind() != Kind.EOF) {
			throw parser.error(end, "unexpected '" + parser.peek(1).text() + "'");
		}
		return body;
	}

	// ---- statements ----

	/**
	 * Parses nodes until end of input or a block tag whose keyword is in {@code stops} (a
	 * space-separated list); leaves that tag unread. {@code opener} names the block for
	 * errors.
	 */
	private List<Node> body(String stops, String opener, int openerLine) throws TemplateException {
		enter();
		try {
			return bodyNodes(stops, opener, openerLine);
		}
		finally {
			nesting--;
		}
	}

	private List<Node> bodyNodes(String stops, String opener, int openerLine) throws TemplateException {
		List<Node> nodes = new ArrayList<>();
		while (true) {
			Token t = current();
			switch (t.kind()) {
				case EOF -> {
					if (!stops.isEmpty()) {
						throw error(t, "unexpected end of template: expected '" + stops.replace(" ", "' or '")
								+ "' to close '" + opener + "' from line " + openerLine);
					}
					return nodes;
				}
				case TEXT -> {
					pos++;
					nodes.add(new Node.Text(t.text()));
				}
				case VAR_BEGIN -> {
					pos++;
					Expr expr = tupleOrExpression(true);
					expect(Kind.VAR_END, "'}}'");
					nodes.add(new Node.Print(expr));
				}
				case BLOCK_BEGIN -> {
					Token keyword = peek(1);
					if (keyword.kind() == Kind.NAME && (" " + stops + " ").contains(" " + keyword.text() + " ")) {
						return nodes;
					}
					pos += 2;
					if (keyword.kind() != Kind.NAME) {
						throw error(keyword, "expected a tag name, got " + keyword.describe());
					}
					nodes.add(statement(keyword));
				}
				default -> throw error(t, "unexpected " + t.describe());
			}
		}
	}

	private Node statement(Token keyword) throws TemplateException {
		int line = keyword.line();
		switch (keyword.text()) {
			case "if":
				return ifStatement(line);
			case "for":
				return forStatement(line);
			case "set":
				return setStatement(line);
			case "macro":
				return macro(line);
			case "break":
			case "continue":
				if (loopDepth == 0) {
					throw error(keyword, "'" + keyword.text() + "' outside loop");
				}
				endTag();
				return keyword.text().equals("break") ? new Node.Break(line) : new Node.Continue(line);
			case "generation": {
				endTag();
				List<Node> body = body("endgeneration", "generation", line);
				closeTag("endgeneration");
				return new Node.Generation(body);
			}
			default:
				throw error(keyword, "unknown or unexpected tag '" + keyword.text() + "'");
		}
	}

	private Node ifStatement(int line) throws TemplateException {
		List<Node.Branch> branches = new ArrayList<>();
		Expr condition = expression(true);
		endTag();
		while (true) {
			List<Node> body = body("elif else endif", "if", line);
			branches.add(new Node.Branch(condition, body));
			Token keyword = peek(1);
			pos += 2;
			if (keyword.text().equals("elif")) {
				condition = expression(true);
				endTag();
			}
			else if (keyword.text().equals("else")) {
				endTag();
				List<Node> otherwise = body("endif", "if", line);
				closeTag("endif");
				return new Node.If(branches, otherwise);
			}
			else {
				endTag();
				return new Node.If(branches, List.of());
			}
		}
	}

	private Node forStatement(int line) throws TemplateException {
		Node.Target target = target(false);
		Token in = current();
		if (!in.isName("in")) {
			throw error(in, "expected 'in' in for loop, got " + in.describe());
		}
		pos++;
		Expr iterable = tupleOrExpression(false);
		Expr filter = null;
		if (current().isName("if")) {
			pos++;
			filter = expression(true);
		}
		if (current().isName("recursive")) {
			throw error(current(), "recursive loops are not supported");
		}
		endTag();
		loopDepth++;
		List<Node> body;
		try {
			body = body("else endfor", "for", line);
		}
		finally {
			loopDepth--;
		}
		List<Node> otherwise = List.of();
		if (peek(1).isName("else")) {
			pos += 2;
			endTag();
			otherwise = body("endfor", "for", line);
		}
		closeTag("endfor");
		return new Node.For(target, iterable, filter, body, otherwise, line);
	}

	private Node setStatement(int line) throws TemplateException {
		Node.Target target = target(true);
		if (current().isOp("=")) {
			pos++;
			Expr value = tupleOrExpression(true);
			endTag();
			return new Node.Set(target, value, line);
		}
		if (!(target instanceof Node.NameTarget nameTarget)) {
			throw error(current(), "a block set needs a plain variable name");
		}
		endTag();
		List<Node> body = body("endset", "set", line);
		closeTag("endset");
		return new Node.SetBlock(nameTarget.name(), body);
	}

	private Node macro(int line) throws TemplateException {
		String macroName = nameToken("macro name");
		expectOp("(");
		List<Node.Param> params = new ArrayList<>();
		while (!current().isOp(")")) {
			if (!params.isEmpty()) {
				expectOp(",");
				if (current().isOp(")")) {
					break;
				}
			}
			String param = nameToken("parameter name");
			Expr defaultValue = null;
			if (current().isOp("=")) {
				pos++;
				defaultValue = expression(true);
			}
			params.add(new Node.Param(param, defaultValue));
		}
		pos++;
		endTag();
		int enclosingLoops = loopDepth;
		loopDepth = 0;
		List<Node> body;
		try {
			body = body("endmacro", "macro", line);
		}
		finally {
			loopDepth = enclosingLoops;
		}
		closeTag("endmacro");
		return new Node.MacroDef(macroName, params, body);
	}

	/** A name, {@code name.attr} (namespace assignment, only for set) or {@code a, b}. */
	private Node.Target target(boolean allowAttribute) throws TemplateException {
		String first = nameToken("variable name");
		if (allowAttribute && current().isOp(".")) {
			pos++;
			return new Node.AttrTarget(first, nameToken("attribute name"));
		}
		if (!current().isOp(",")) {
			return new Node.NameTarget(first);
		}
		List<String> names = new ArrayList<>(List.of(first));
		while (current().isOp(",")) {
			pos++;
			names.add(nameToken("variable name"));
		}
		return new Node.TupleTarget(names);
	}

	private void closeTag(String keyword) throws TemplateException {
		expect(Kind.BLOCK_BEGIN, "'{%'");
		Token t = current();
		if (!t.isName(keyword)) {
			throw error(t, "expected '" + keyword + "', got " + t.describe());
		}
		pos++;
		endTag();
	}

	private void endTag() throws TemplateException {
		expect(Kind.BLOCK_END, "end of tag '%}'");
	}

	// ---- expressions ----

	/** An expression, or an unparenthesised tuple {@code a, b}. */
	private Expr tupleOrExpression(boolean withConditional) throws TemplateException {
		int line = current().line();
		Expr first = expression(withConditional);
		if (!current().isOp(",")) {
			return first;
		}
		List<Expr> items = new ArrayList<>(List.of(first));
		while (current().isOp(",")) {
			pos++;
			if (current().kind() == Kind.VAR_END || current().kind() == Kind.BLOCK_END || current().isName("if")) {
				break;
			}
			items.add(expression(withConditional));
		}
		return new Expr.TupleLiteral(items, line);
	}

	private Expr expression(boolean withConditional) throws TemplateException {
		enter();
		try {
			return withConditional ? conditional() : or();
		}
		finally {
			nesting--;
		}
	}

	private void enter() throws TemplateException {
		if (++nesting > MAX_NESTING) {
			throw error(current(), "blocks or expressions nested deeper than " + MAX_NESTING + " levels");
		}
	}

	/** Counts one more operator of a chain such as {@code a + b + c}. */
	private int link(int length) throws TemplateException {
		if (length >= MAX_CHAIN) {
			throw error(current(), "expression chain longer than " + MAX_CHAIN + " operators");
		}
		return length + 1;
	}

	private Expr conditional() throws TemplateException {
		Expr expr = or();
		while (current().isName("if")) {
			int line = current().line();
			pos++;
			Expr condition = or();
			Expr otherwise = null;
			if (current().isName("else")) {
				pos++;
				otherwise = conditional();
			}
			expr = new Expr.Conditional(condition, expr, otherwise, line);
		}
		return expr;
	}

	private Expr or() throws TemplateException {
		Expr left = and();
		int length = 0;
		while (current().isName("or")) {
			length = link(length);
			int line = current().line();
			pos++;
			left = new Expr.Binary("or", left, and(), line);
		}
		return left;
	}

	private Expr and() throws TemplateException {
		Expr left = not();
		int length = 0;
		while (current().isName("and")) {
			length = link(length);
			int line = current().line();
			pos++;
			left = new Expr.Binary("and", left, not(), line);
		}
		return left;
	}

	private Expr not() throws TemplateException {
		if (current().isName("not")) {
			int line = current().line();
			pos++;
			enter();
			try {
				return new Expr.Unary("not", not(), line);
			}
			finally {
				nesting--;
			}
		}
		return compare();
	}

	private Expr compare() throws TemplateException {
		int line = current().line();
		Expr first = additive();
		List<String> ops = new ArrayList<>();
		List<Expr> rest = new ArrayList<>();
		for (int length = 0;; length = link(length)) {
			Token t = current();
			if (t.kind() == Kind.OP && COMPARISONS.contains(t.text())) {
				pos++;
				ops.add(t.text());
			}
			else if (t.isName("in")) {
				pos++;
				ops.add("in");
			}
			else if (t.isName("not") && peek(1).isName("in")) {
				pos += 2;
				ops.add("not in");
			}
			else {
				break;
			}
			rest.add(additive());
		}
		return ops.isEmpty() ? first : new Expr.Compare(first, ops, rest, line);
	}

	private Expr additive() throws TemplateException {
		Expr left = concat();
		int length = 0;
		while (current().isOp("+") || current().isOp("-")) {
			length = link(length);
			Token op = current();
			pos++;
			left = new Expr.Binary(op.text(), left, concat(), op.line());
		}
		return left;
	}

	private Expr concat() throws TemplateException {
		Expr left = multiplicative();
		int length = 0;
		while (current().isOp("~")) {
			length = link(length);
			int line = current().line();
			pos++;
			left = new Expr.Binary("~", left, multiplicative(), line);
		}
		return left;
	}

	private Expr multiplicative() throws TemplateException {
		Expr left = power();
		int length = 0;
		while (current().isOp("*") || current().isOp("/") || current().isOp("//") || current().isOp("%")) {
			length = link(length);
			Token op = current();
			pos++;
			left = new Expr.Binary(op.text(), left, power(), op.line());
		}
		return left;
	}

	private Expr power() throws TemplateException {
		Expr left = unary(true);
		int length = 0;
		while (current().isOp("**")) {
			length = link(length);
			int line = current().line();
			pos++;
			left = new Expr.Binary("**", left, unary(true), line);
		}
		return left;
	}

	private Expr unary(boolean withFilter) throws TemplateException {
		Token t = current();
		Expr node;
		if (t.isOp("-") || t.isOp("+")) {
			pos++;
			enter();
			try {
				node = new Expr.Unary(t.text(), unary(false), t.line());
			}
			finally {
				nesting--;
			}
		}
		else {
			node = primary();
		}
		node = postfix(node);
		return withFilter ? filters(node) : node;
	}

	private Expr primary() throws TemplateException {
		Token t = current();
		pos++;
		switch (t.kind()) {
			case NAME:
				return switch (t.text()) {
					case "true", "True" -> new Expr.Literal(Boolean.TRUE, t.line());
					case "false", "False" -> new Expr.Literal(Boolean.FALSE, t.line());
					case "none", "None" -> new Expr.Literal(null, t.line());
					default -> new Expr.Name(t.text(), t.line());
				};
			case STRING: {
				StringBuilder sb = new StringBuilder((String) t.value());
				while (current().kind() == Kind.STRING) {
					sb.append((String) current().value());
					pos++;
				}
				return new Expr.Literal(sb.toString(), t.line());
			}
			case INT:
			case FLOAT:
				return new Expr.Literal(t.value(), t.line());
			case OP:
				switch (t.text()) {
					case "(":
						return parenthesised(t.line());
					case "[":
						return new Expr.ListLiteral(items("]"), t.line());
					case "{":
						return dict(t.line());
					default:
						break;
				}
				break;
			default:
				break;
		}
		throw error(t, "unexpected " + t.describe() + " in expression");
	}

	private Expr parenthesised(int line) throws TemplateException {
		if (current().isOp(")")) {
			pos++;
			return new Expr.TupleLiteral(List.of(), line);
		}
		Expr first = expression(true);
		if (current().isOp(")")) {
			pos++;
			return first;
		}
		List<Expr> items = new ArrayList<>(List.of(first));
		while (current().isOp(",")) {
			pos++;
			if (current().isOp(")")) {
				break;
			}
			items.add(expression(true));
		}
		expectOp(")");
		return new Expr.TupleLiteral(items, line);
	}

	private List<Expr> items(String close) throws TemplateException {
		List<Expr> items = new ArrayList<>();
		while (!current().isOp(close)) {
			if (!items.isEmpty()) {
				expectOp(",");
				if (current().isOp(close)) {
					break;
				}
			}
			items.add(expression(true));
		}
		pos++;
		return items;
	}

	private Expr dict(int line) throws TemplateException {
		List<Expr> keys = new ArrayList<>();
		List<Expr> values = new ArrayList<>();
		while (!current().isOp("}")) {
			if (!keys.isEmpty()) {
				expectOp(",");
				if (current().isOp("}")) {
					break;
				}
			}
			keys.add(expression(true));
			expectOp(":");
			values.add(expression(true));
		}
		pos++;
		return new Expr.DictLiteral(keys, values, line);
	}

	private Expr postfix(Expr node) throws TemplateException {
		for (int length = 0;; length = link(length)) {
			Token t = current();
			if (t.isOp(".")) {
				pos++;
				Token attr = current();
				pos++;
				if (attr.kind() == Kind.NAME) {
					node = new Expr.Attribute(node, attr.text(), t.line());
				}
				else if (attr.kind() == Kind.INT) {
					node = new Expr.Item(node, new Expr.Literal(attr.value(), t.line()), t.line());
				}
				else {
					throw error(attr, "expected an attribute name after '.', got " + attr.describe());
				}
			}
			else if (t.isOp("[")) {
				pos++;
				node = subscript(node, t.line());
			}
			else if (t.isOp("(")) {
				pos++;
				node = new Expr.Call(node, arguments(), t.line());
			}
			else {
				return node;
			}
		}
	}

	private Expr subscript(Expr object, int line) throws TemplateException {
		Expr start = null;
		if (!current().isOp(":")) {
			start = expression(true);
			if (current().isOp("]")) {
				pos++;
				return new Expr.Item(object, start, line);
			}
		}
		expectOp(":");
		Expr stop = current().isOp("]") || current().isOp(":") ? null : expression(true);
		Expr step = null;
		if (current().isOp(":")) {
			pos++;
			step = current().isOp("]") ? null : expression(true);
		}
		expectOp("]");
		return new Expr.Slice(object, start, stop, step, line);
	}

	/** Arguments after an opening parenthesis, up to and including the closing one. */
	private Expr.Arguments arguments() throws TemplateException {
		List<Expr> positional = new ArrayList<>();
		List<String> names = new ArrayList<>();
		List<Expr> named = new ArrayList<>();
		boolean first = true;
		while (!current().isOp(")")) {
			if (!first) {
				expectOp(",");
				if (current().isOp(")")) {
					break;
				}
			}
			first = false;
			if (current().kind() == Kind.NAME && peek(1).isOp("=")) {
				names.add(current().text());
				pos += 2;
				named.add(expression(true));
			}
			else {
				if (!names.isEmpty()) {
					throw error(current(), "positional argument after keyword argument");
				}
				positional.add(expression(true));
			}
		}
		pos++;
		return new Expr.Arguments(positional, names, named);
	}

	private Expr filters(Expr node) throws TemplateException {
		for (int length = 0;; length = link(length)) {
			Token t = current();
			if (t.isOp("|")) {
				pos++;
				String filter = dottedName("filter name");
				Expr.Arguments args = Expr.Arguments.NONE;
				if (current().isOp("(")) {
					pos++;
					args = arguments();
				}
				node = new Expr.Filter(node, filter, args, t.line());
			}
			else if (t.isName("is")) {
				pos++;
				node = test(node, t.line());
			}
			else if (t.isOp("(")) {
				pos++;
				node = new Expr.Call(node, arguments(), t.line());
			}
			else {
				return node;
			}
		}
	}

	private Expr test(Expr operand, int line) throws TemplateException {
		boolean negated = false;
		if (current().isName("not")) {
			pos++;
			negated = true;
		}
		String test = dottedName("test name");
		Expr.Arguments args = Expr.Arguments.NONE;
		Token t = current();
		if (t.isOp("(")) {
			pos++;
			args = arguments();
		}
		else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INT || t.kind() == Kind.FLOAT
				|| t.isOp("[") || t.isOp("{")) && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
			if (t.isName("is")) {
				throw error(t, "you cannot chain multiple tests with 'is'");
			}
			args = new Expr.Arguments(List.of(postfix(primary())), List.of(), List.of());
		}
		return new Expr.Test(operand, test, args, negated, line);
	}

	private String dottedName(String what) throws TemplateException {
		StringBuilder sb = new StringBuilder(nameToken(what));
		while (current().isOp(".") && peek(1).kind() == Kind.NAME) {
			pos++;
			sb.append('.').append(nameToken(what));
		}
		return sb.toString();
	}

	// ---- token helpers ----

	private Token current() {
		return tokens.get(pos);
	}

	private Token peek(int ahead) {
		return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
	}

	private String nameToken(String what) throws TemplateException {
		Token t = current();
		if (t.kind() != Kind.NAME) {
			throw error(t, "expected " + what + ", got " + t.describe());
		}
		pos++;
		return t.text();
	}

	private void expectOp(String op) throws TemplateException {
		Token t = current();
		if (!t.isOp(op)) {
			throw error(t, "expected '" + op + "', got " + t.describe());
		}
		pos++;
	}

	private void expect(Kind kind, String what) throws TemplateException {
		Token t = current();
		if (t.kind() != kind) {
			throw error(t, "expected " + what + ", got " + t.describe());
		}
		pos++;
	}

	private TemplateException error(Token at, String what) {
		return new TemplateException(name, at.line(), what, false);
	}

}
