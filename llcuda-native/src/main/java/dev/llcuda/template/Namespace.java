package dev.llcuda.template;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code namespace(...)}: the one object templates may change, to carry state out of
 * loops.
 */
final class Namespace {

	final Map<String, Object> attributes = new LinkedHashMap<>();

	@Override
	public String toString() {
		return "<Namespace " + Values.repr(attributes) + ">";
	}

}
