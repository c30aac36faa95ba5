package dev.llcuda.template;

import java.util.HashMap;
import java.util.Map;

/**
 * One variable scope. As in Jinja2, the template and each macro call have their own, and so does
 * each iteration of a loop: {@code set} inside a loop does not leak out (that is what
 * {@code namespace()} is for), while {@code if} shares its enclosing scope.
 */
final class Frame {

    private final Frame parent;
    private final Map<String, Object> variables = new HashMap<>();

    Frame(Frame parent) {
        this.parent = parent;
    }

    Object lookup(String name) {
        for (Frame f = this; f != null; f = f.parent) {
            if (f.variables.containsKey(name)) {
                return f.variables.get(name);
            }
        }
        return Undefined.name(name);
    }

    void set(String name, Object value) {
        variables.put(name, value);
    }
}
