package dev.llcuda.template;

/**
 * Jinja2's default undefined value: renders as nothing, is false and empty when tested or
 * iterated, and fails with its hint (e.g. {@code 'x' is undefined}) on any other use.
 */
final class Undefined {

    private final String hint;

    Undefined(String hint) {
        this.hint = hint;
    }

    static Undefined name(String name) {
        return new Undefined("'" + name + "' is undefined");
    }

    static Undefined attribute(Object owner, Object attribute) {
        String shown = attribute instanceof String s ? "'" + s + "'" : Values.repr(attribute);
        return new Undefined("'" + Values.typeName(owner) + " object' has no attribute " + shown);
    }

    EvalError fail() {
        return new EvalError(hint);
    }

    @Override
    public String toString() {
        return "";
    }
}
