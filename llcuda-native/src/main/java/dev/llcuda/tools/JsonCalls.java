package dev.llcuda.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.llcuda.template.Json;

/** Reading {@code {"name": ..., "arguments": {...}}}-shaped JSON into tool calls. */
final class JsonCalls {

	private static final String SOURCE = "model output";

	private JsonCalls() {
	}

	/**
	 * The call a JSON object describes: a string {@code name} and an object (or a string
	 * holding a JSON object) under the first of {@code argumentKeys} present; a missing
	 * one means no arguments.
	 */
	static Optional<ToolCall> call(Object value, String... argumentKeys) {
		if (!(value instanceof Map<?, ?> map) || !(map.get("name") instanceof String name) || name.isBlank()) {
			return Optional.empty();
		}
		for (String key : argumentKeys) {
			if (map.containsKey(key)) {
				return arguments(map.get(key)).map(arguments -> new ToolCall(name, arguments));
			}
		}
		return Optional.of(new ToolCall(name, "{}"));
	}

	/** Calls of a JSON array of call objects; empty when any element is not one. */
	static Optional<List<ToolCall>> calls(Object value, String... argumentKeys) {
		if (!(value instanceof List<?> list) || list.isEmpty()) {
			return Optional.empty();
		}
		List<ToolCall> calls = new ArrayList<>();
		for (Object element : list) {
			Optional<ToolCall> call = call(element, argumentKeys);
			if (call.isEmpty()) {
				return Optional.empty();
			}
			calls.add(call.get());
		}
		return Optional.of(calls);
	}

	/** The JSON value at {@code start}, or empty when there is none that parses. */
	static Optional<Json.Prefix> valueAt(String text, int start) {
		try {
			return Optional.of(Json.parseAt(text, start, SOURCE));
		}
		catch (IllegalArgumentException e) {
			return Optional.empty();
		}
	}

	/** The whole text as one JSON value, or empty. */
	static Optional<Object> value(String text) {
		try {
			return Optional.of(Json.parse(text, SOURCE));
		}
		catch (IllegalArgumentException e) {
			return Optional.empty();
		}
	}

	private static Optional<String> arguments(Object value) {
		if (value instanceof Map<?, ?>) {
			return Optional.of(Json.write(value));
		}
		if (value instanceof String text) {
			return value(text).filter(Map.class::isInstance).map(Json::write);
		}
		return Optional.empty();
	}

	/**
	 * The length of the longest end of {@code text} that begins {@code marker} (but is
	 * not all of it).
	 */
	static int partialMarkerAtEnd(String text, String marker) {
		for (int length = Math.min(marker.length() - 1, text.length()); length > 0; length--) {
			if (text.regionMatches(text.length() - length, marker, 0, length)) {
				return length;
			}
		}
		return 0;
	}

	/**
	 * Whether {@code text} (leading whitespace ignored) is empty, a beginning of
	 * {@code marker}, or starts with it.
	 */
	static boolean mayStartWith(String text, String marker) {
		String start = text.stripLeading();
		return marker.startsWith(start) || start.startsWith(marker);
	}

}
