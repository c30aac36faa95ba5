package dev.llcuda.template;

import java.util.function.Supplier;

/**
 * Jinja2's default undefined value: renders as nothing, is false and empty when tested or
 * iterated, and fails with its hint (e.g. {@code 'x' is undefined}) on any other use. The
 * hint is built only then: templates probe missing fields often ({@code x is defined}).
 */
final class Undefined {

	private final Supplier<String> hint;

	private Undefined(Supplier<String> hint) {
		this.hint = hint;
	}

	Undefined(String hint) {
		this(() -> hint);
	}

	static Undefined name(String name) {
		return new Undefined(() -> "'" + name + "' is undefined");
	}

	/**
	 * A missing attribute (string key) or element (other key), worded as Jinja2 words it.
	 */
	static Undefined attribute(Object owner, Object key) {
		return new Undefined(() -> {
			String ownerText = owner == null ? "None" : Values.typeName(owner) + " object";
			if (key instanceof String) {
				return Values.repr(ownerText) + " has no attribute " + Values.repr(key);
			}
			return ownerText + " has no element " + Values.repr(key);
		});
	}

	EvalError fail() {
		return new EvalError(hint.get());
	}

	@Override
	public String toString() {
		return "";
	}

}
