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

    /** A missing attribute (string key) or element (other key), worded as Jinja2 words it. */
    static Undefined attribute(Object owner, Object key) {
        String ownerText = owner == null ? "None" : Values.typeName(owner) + " object";
        if (key instanceof String) {
            return new Undefined(Values.repr(ownerText) + " has no attribute " + Values.repr(key));
        }
        return new Undefined(ownerText + " has no element " + Values.repr(key));
    }

    EvalError fail() {
        return new EvalError(hint);
    }

    @Override
    public String toString() {
        return "";
    }
}
