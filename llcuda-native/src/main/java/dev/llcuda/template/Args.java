package dev.llcuda.template;

import java.util.List;
import java.util.Map;

/** Binds a builtin's positional and keyword arguments to its Python parameter names. */
final class Args {

	private final String function;

	private final Object[] values;

	private final boolean[] given;

	private final String[] params;

	Args(String function, List<Object> positional, Map<String, Object> keywords, String... params) {
		this.function = function;
		this.params = params;
		this.values = new Object[params.length];
		this.given = new boolean[params.length];
		if (positional.size() > params.length) {
			throw new EvalError(
					function + "() takes at most " + params.length + " argument(s), got " + positional.size());
		}
		for (int i = 0; i < positional.size(); i++) {
			values[i] = positional.get(i);
			given[i] = true;
		}
		keywords.forEach((name, value) -> {
			int i = List.of(params).indexOf(name);
			if (i < 0) {
				throw new EvalError(function + "() got an unexpected keyword argument '" + name + "'");
			}
			if (given[i]) {
				throw new EvalError(function + "() got multiple values for argument '" + name + "'");
			}
			values[i] = value;
			given[i] = true;
		});
	}

	boolean has(int i) {
		return given[i];
	}

	Object get(int i, Object absent) {
		return given[i] ? values[i] : absent;
	}

	Object required(int i) {
		if (!given[i]) {
			throw new EvalError(function + "() missing required argument '" + params[i] + "'");
		}
		return values[i];
	}

	String string(int i) {
		Object v = required(i);
		if (!(v instanceof String s)) {
			throw new EvalError(function + "() argument '" + params[i] + "' must be str, not " + Values.typeName(v));
		}
		return s;
	}

	Object integer(int i, Object absent) {
		Object v = get(i, absent);
		if (!(v instanceof Long || v instanceof Boolean)) {
			throw new EvalError(function + "() argument '" + params[i] + "' must be int, not " + Values.typeName(v));
		}
		return v;
	}

	boolean bool(int i, boolean absent) {
		return Values.truthy(get(i, absent));
	}

}
