package dev.llcuda.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a parsed template: runs statements into an output buffer and evaluates
 * expressions.
 */
final class Interpreter {

	private enum Flow {

		NORMAL, BREAK, CONTINUE

	}

	private final StringBuilder out = new StringBuilder();

	private final RenderBudget budget;

	private Interpreter(RenderBudget budget) {
		this.budget = budget;
	}

	static String render(List<Node> template, Frame globals, RenderBudget budget) {
		Interpreter interpreter = new Interpreter(budget);
		try (RenderBudget.Scope scope = budget.enter()) {
			interpreter.run(template, new Frame(globals), interpreter.out);
		}
		catch (StackOverflowError e) {
			// Printing or comparing data a template nested thousands of levels deep.
			throw new EvalError("values nested too deeply to render");
		}
		return interpreter.out.toString();
	}

	private Flow run(List<Node> nodes, Frame frame, StringBuilder sink) {
		for (Node node : nodes) {
			Flow flow = execute(node, frame, sink);
			if (flow != Flow.NORMAL) {
				return flow;
			}
		}
		return Flow.NORMAL;
	}

	private Flow execute(Node node, Frame frame, StringBuilder sink) {
		budget.checkTime();
		if (node instanceof Node.Text text) {
			write(sink, text.text());
		}
		else if (node instanceof Node.Print print) {
			write(sink, Values.str(eval(print.expr(), frame)));
		}
		else if (node instanceof Node.If ifNode) {
			for (Node.Branch branch : ifNode.branches()) {
				if (Values.truthy(eval(branch.condition(), frame))) {
					return run(branch.body(), frame, sink);
				}
			}
			return run(ifNode.otherwise(), frame, sink);
		}
		else if (node instanceof Node.For loop) {
			executeFor(loop, frame, sink);
		}
		else if (node instanceof Node.Set set) {
			assign(set.target(), eval(set.value(), frame), frame, set.line());
		}
		else if (node instanceof Node.SetBlock set) {
			StringBuilder captured = new StringBuilder();
			run(set.body(), frame, captured);
			budget.created(captured.length());
			frame.set(set.name(), captured.toString());
		}
		else if (node instanceof Node.MacroDef macro) {
			frame.set(macro.name(), macro(macro, frame));
		}
		else if (node instanceof Node.Generation generation) {
			return run(generation.body(), frame, sink);
		}
		else if (node instanceof Node.Break) {
			return Flow.BREAK;
		}
		else if (node instanceof Node.Continue) {
			return Flow.CONTINUE;
		}
		return Flow.NORMAL;
	}

	private void write(StringBuilder sink, String text) {
		budget.checkOutput(sink.length() + (long) text.length());
		sink.append(text);
	}

	private void executeFor(Node.For loop, Frame frame, StringBuilder sink) {
		Object iterable = eval(loop.iterable(), frame);
		List<Object> items;
		try {
			items = Values.iterate(iterable);
		}
		catch (EvalError e) {
			throw e.at(loop.line());
		}
		if (loop.filter() != null) {
			List<Object> kept = new ArrayList<>();
			for (Object item : items) {
				budget.iteration();
				Frame scope = new Frame(frame);
				assign(loop.target(), item, scope, loop.line());
				if (Values.truthy(eval(loop.filter(), scope))) {
					kept.add(item);
				}
			}
			items = kept;
		}
		if (items.isEmpty()) {
			run(loop.otherwise(), frame, sink);
			return;
		}
		LoopInfo info = new LoopInfo(items);
		for (int i = 0; i < items.size(); i++) {
			budget.iteration();
			info.index0 = i;
			Frame scope = new Frame(frame);
			scope.set("loop", info);
			assign(loop.target(), items.get(i), scope, loop.line());
			if (run(loop.body(), scope, sink) == Flow.BREAK) {
				break;
			}
		}
	}

	private void assign(Node.Target target, Object value, Frame frame, int line) {
		if (target instanceof Node.NameTarget name) {
			frame.set(name.name(), value);
		}
		else if (target instanceof Node.AttrTarget attr) {
			Object object = frame.lookup(attr.object());
			if (!(object instanceof Namespace ns)) {
				throw new EvalError("cannot assign attribute on non-namespace object '" + attr.object() + "'").at(line);
			}
			ns.attributes.put(attr.attribute(), value);
		}
		else if (target instanceof Node.TupleTarget tuple) {
			List<Object> values;
			try {
				values = Values.iterate(value);
			}
			catch (EvalError e) {
				throw new EvalError("cannot unpack non-iterable " + Values.typeName(value) + " object").at(line);
			}
			if (values.size() != tuple.names().size()) {
				throw new EvalError(
						"cannot unpack " + values.size() + " values into " + tuple.names().size() + " names")
					.at(line);
			}
			for (int i = 0; i < values.size(); i++) {
				frame.set(tuple.names().get(i), values.get(i));
			}
		}
	}

	/**
	 * A macro closes over the scope it was defined in, read when called (as Jinja2 does).
	 */
	private TemplateFunction macro(Node.MacroDef def, Frame definedIn) {
		return (positional, keywords) -> {
			if (positional.size() > def.params().size()) {
				throw new EvalError("macro '" + def.name() + "' takes " + def.params().size() + " argument(s), got "
						+ positional.size());
			}
			Frame scope = new Frame(definedIn);
			Map<String, Object> remaining = new LinkedHashMap<>(keywords);
			for (int i = 0; i < def.params().size(); i++) {
				Node.Param param = def.params().get(i);
				Object value;
				if (i < positional.size()) {
					value = positional.get(i);
				}
				else if (remaining.containsKey(param.name())) {
					value = remaining.remove(param.name());
				}
				else if (param.defaultValue() != null) {
					value = eval(param.defaultValue(), scope);
				}
				else {
					value = new Undefined("parameter '" + param.name() + "' was not provided");
				}
				scope.set(param.name(), value);
			}
			if (!remaining.isEmpty()) {
				throw new EvalError("macro '" + def.name() + "' takes no keyword argument '"
						+ remaining.keySet().iterator().next() + "'");
			}
			StringBuilder body = new StringBuilder();
			budget.enterCall();
			try {
				run(def.body(), scope, body);
			}
			finally {
				budget.exitCall();
			}
			return body.toString();
		};
	}

	// ---- expressions ----

	private Object eval(Expr expr, Frame frame) {
		try {
			Object value = evaluate(expr, frame);
			if (creates(expr)) {
				charge(value);
			}
			return value;
		}
		catch (EvalError e) {
			throw e.at(expr.line());
		}
		catch (StackOverflowError e) {
			throw new EvalError("expression nested too deeply").at(expr.line());
		}
	}

	/**
	 * Whether the expression can make a new value (the others return one that exists).
	 */
	private static boolean creates(Expr expr) {
		if (expr instanceof Expr.Binary binary) {
			return !binary.op().equals("and") && !binary.op().equals("or");
		}
		return expr instanceof Expr.Call || expr instanceof Expr.Filter || expr instanceof Expr.Slice
				|| expr instanceof Expr.ListLiteral || expr instanceof Expr.TupleLiteral
				|| expr instanceof Expr.DictLiteral;
	}

	/**
	 * Checks a new value against the size limits and counts it against the render's
	 * budget.
	 */
	private void charge(Object value) {
		if (value instanceof String s) {
			budget.checkString(s.length());
			budget.created(s.length());
		}
		else if (value instanceof List<?> list) {
			budget.checkList(list.size());
			budget.created(list.size());
		}
		else if (value instanceof Map<?, ?> map) {
			budget.created(map.size());
		}
	}

	private Object evaluate(Expr expr, Frame frame) {
		if (expr instanceof Expr.Literal literal) {
			return literal.value();
		}
		if (expr instanceof Expr.Name name) {
			return frame.lookup(name.name());
		}
		if (expr instanceof Expr.Attribute attribute) {
			return Access.attribute(eval(attribute.object(), frame), attribute.name());
		}
		if (expr instanceof Expr.Item item) {
			return Access.item(eval(item.object(), frame), eval(item.key(), frame));
		}
		if (expr instanceof Expr.Slice slice) {
			return Access.slice(eval(slice.object(), frame), optional(slice.start(), frame),
					optional(slice.stop(), frame), optional(slice.step(), frame));
		}
		if (expr instanceof Expr.Call call) {
			return call(eval(call.callee(), frame), call.args(), frame);
		}
		if (expr instanceof Expr.Filter filter) {
			Object value = eval(filter.operand(), frame);
			List<Object> positional = new ArrayList<>();
			Map<String, Object> keywords = new LinkedHashMap<>();
			arguments(filter.args(), frame, positional, keywords);
			return Filters.apply(filter.name(), value, positional, keywords);
		}
		if (expr instanceof Expr.Test test) {
			Object value = eval(test.operand(), frame);
			List<Object> positional = new ArrayList<>();
			Map<String, Object> keywords = new LinkedHashMap<>();
			arguments(test.args(), frame, positional, keywords);
			return Tests.apply(test.name(), value, positional, keywords) != test.negated();
		}
		if (expr instanceof Expr.Unary unary) {
			Object operand = eval(unary.operand(), frame);
			return switch (unary.op()) {
				case "not" -> !Values.truthy(operand);
				case "-" -> Operators.negate(operand);
				default -> Operators.binary("+", 0L, operand);
			};
		}
		if (expr instanceof Expr.Binary binary) {
			return binary(binary, frame);
		}
		if (expr instanceof Expr.Compare compare) {
			Object left = eval(compare.first(), frame);
			for (int i = 0; i < compare.ops().size(); i++) {
				Object right = eval(compare.rest().get(i), frame);
				if (!Operators.compare(compare.ops().get(i), left, right)) {
					return false;
				}
				left = right;
			}
			return true;
		}
		if (expr instanceof Expr.Conditional conditional) {
			if (Values.truthy(eval(conditional.condition(), frame))) {
				return eval(conditional.then(), frame);
			}
			return conditional.otherwise() != null ? eval(conditional.otherwise(), frame)
					: new Undefined("the inline if-expression on line " + conditional.line()
							+ " evaluated to false and no else section was defined.");
		}
		if (expr instanceof Expr.ListLiteral list) {
			return evalAll(list.items(), frame);
		}
		if (expr instanceof Expr.TupleLiteral tuple) {
			return new Tuple(evalAll(tuple.items(), frame));
		}
		if (expr instanceof Expr.DictLiteral dict) {
			Map<Object, Object> map = new LinkedHashMap<>();
			for (int i = 0; i < dict.keys().size(); i++) {
				map.put(eval(dict.keys().get(i), frame), eval(dict.values().get(i), frame));
			}
			return map;
		}
		throw new IllegalStateException("unknown expression " + expr);
	}

	private Object binary(Expr.Binary binary, Frame frame) {
		Object left = eval(binary.left(), frame);
		switch (binary.op()) {
			case "and":
				return Values.truthy(left) ? eval(binary.right(), frame) : left;
			case "or":
				return Values.truthy(left) ? left : eval(binary.right(), frame);
			case "~":
				return Operators.concat(Values.str(left), Values.str(eval(binary.right(), frame)));
			default:
				return Operators.binary(binary.op(), left, eval(binary.right(), frame));
		}
	}

	private Object call(Object callee, Expr.Arguments args, Frame frame) {
		if (callee instanceof Undefined u) {
			throw u.fail();
		}
		if (!(callee instanceof TemplateFunction function)) {
			throw new EvalError("'" + Values.typeName(callee) + "' object is not callable");
		}
		List<Object> positional = new ArrayList<>();
		Map<String, Object> keywords = new LinkedHashMap<>();
		arguments(args, frame, positional, keywords);
		try {
			return Values.fromJava(function.call(positional, keywords));
		}
		catch (EvalError e) {
			throw e;
		}
		catch (RuntimeException e) {
			throw new EvalError("function call failed: " + e);
		}
	}

	private void arguments(Expr.Arguments args, Frame frame, List<Object> positional, Map<String, Object> keywords) {
		for (Expr e : args.positional()) {
			positional.add(eval(e, frame));
		}
		for (int i = 0; i < args.names().size(); i++) {
			keywords.put(args.names().get(i), eval(args.named().get(i), frame));
		}
	}

	private List<Object> evalAll(List<Expr> exprs, Frame frame) {
		List<Object> values = new ArrayList<>();
		for (Expr e : exprs) {
			values.add(eval(e, frame));
		}
		return values;
	}

	private Object optional(Expr expr, Frame frame) {
		return expr == null ? null : eval(expr, frame);
	}

}
