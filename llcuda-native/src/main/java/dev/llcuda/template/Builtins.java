package dev.llcuda.template;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The global functions Hugging Face gives chat templates, plus Jinja2's own. */
final class Builtins {

	private Builtins() {
	}

	static void install(Frame globals, Supplier<ZonedDateTime> clock) {
		globals.set("raise_exception", (TemplateFunction) (a, k) -> {
			throw new EvalError(Values.str(new Args("raise_exception", a, k, "message").required(0)), true);
		});
		globals.set("strftime_now", (TemplateFunction) (a, k) -> Strftime
			.format(new Args("strftime_now", a, k, "format").string(0), clock.get()));
		globals.set("namespace", (TemplateFunction) (a, k) -> {
			Namespace ns = new Namespace();
			for (Object initial : a) {
				if (!(initial instanceof Map<?, ?> map)) {
					throw new EvalError("namespace() takes only keyword arguments or dicts");
				}
				map.forEach((key, value) -> ns.attributes.put(Values.str(key), value));
			}
			ns.attributes.putAll(k);
			return ns;
		});
		globals.set("dict", (TemplateFunction) (a, k) -> {
			if (!a.isEmpty()) {
				throw new EvalError("dict() takes only keyword arguments");
			}
			return new LinkedHashMap<Object, Object>(k);
		});
		globals.set("range", (TemplateFunction) Builtins::range);
	}

	private static Object range(List<Object> a, Map<String, Object> k) {
		if (!k.isEmpty() || a.isEmpty() || a.size() > 3) {
			throw new EvalError("range() takes 1 to 3 positional integer arguments");
		}
		long[] n = new long[a.size()];
		for (int i = 0; i < n.length; i++) {
			if (!(a.get(i) instanceof Long || a.get(i) instanceof Boolean)) {
				throw new EvalError("range() arguments must be int, not " + Values.typeName(a.get(i)));
			}
			n[i] = Values.toLong(a.get(i));
		}
		long start = n.length == 1 ? 0 : n[0];
		long stop = n.length == 1 ? n[0] : n[1];
		long step = n.length == 3 ? n[2] : 1;
		if (step == 0) {
			throw new EvalError("range() arg 3 must not be zero");
		}
		RenderBudget budget = RenderBudget.current();
		List<Object> out = new ArrayList<>();
		for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
			budget.checkList(out.size() + 1L);
			out.add(i);
		}
		return out;
	}

}
