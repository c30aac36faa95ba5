package dev.llcuda.template;

import java.util.List;
import java.util.Map;

/**
 * A function templates can call, such as {@code strftime_now}: put one into the render
 * context under the name the template uses. Arguments arrive as template values (String,
 * Long, Double, Boolean, null, List, Map); a runtime exception becomes a
 * {@link TemplateException}.
 */
@FunctionalInterface
public interface TemplateFunction {

	Object call(List<Object> positional, Map<String, Object> keywords);

}
