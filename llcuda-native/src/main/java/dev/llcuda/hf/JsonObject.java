package dev.llcuda.hf;

import dev.llcuda.template.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A JSON object of a model directory's file, with typed getters whose errors name the
 * file and the field.
 */
record JsonObject(String source, Map<String, Object> fields) {

	/** The JSON object in {@code file}. */
	static JsonObject read(Path file) throws IOException {
		Object value;
		try {
			value = Json.parse(Files.readString(file), file.toString());
		}
		catch (IllegalArgumentException e) {
			throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
		}
		return of(file.toString(), value);
	}

	@SuppressWarnings("unchecked")
	static JsonObject of(String source, @Nullable Object value) throws IOException {
		if (!(value instanceof Map<?, ?> map)) {
			throw new IOException(source + " is not a JSON object");
		}
		return new JsonObject(source, (Map<String, Object>) map);
	}

	boolean has(String key) {
		return fields.get(key) != null;
	}

	@Nullable Object raw(String key) {
		return fields.get(key);
	}

	IOException error(String key, String problem) {
		return new IOException(source + ": '" + key + "' " + problem);
	}

	String string(String key) throws IOException {
		return optString(key).orElseThrow(() -> error(key, "is missing"));
	}

	Optional<String> optString(String key) throws IOException {
		Object value = fields.get(key);
		if (value == null) {
			return Optional.empty();
		}
		if (!(value instanceof String s)) {
			throw error(key, "is " + value + ", expected a string");
		}
		return Optional.of(s);
	}

	long integer(String key) throws IOException {
		Object value = fields.get(key);
		if (!(value instanceof Long l)) {
			throw error(key, value == null ? "is missing" : "is " + value + ", expected an integer");
		}
		return l;
	}

	long integer(String key, long fallback) throws IOException {
		return has(key) ? integer(key) : fallback;
	}

	/** A positive integer that fits an int. */
	int positive(String key) throws IOException {
		long value = integer(key);
		if (value < 1 || value > Integer.MAX_VALUE) {
			throw error(key, "= " + value + " is outside 1.." + Integer.MAX_VALUE);
		}
		return (int) value;
	}

	int positive(String key, int fallback) throws IOException {
		return has(key) ? positive(key) : fallback;
	}

	double real(String key, double fallback) throws IOException {
		Object value = fields.get(key);
		if (value == null) {
			return fallback;
		}
		if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
			throw error(key, "is " + value + ", expected a finite number");
		}
		return n.doubleValue();
	}

	boolean bool(String key, boolean fallback) throws IOException {
		Object value = fields.get(key);
		if (value == null) {
			return fallback;
		}
		if (!(value instanceof Boolean b)) {
			throw error(key, "is " + value + ", expected true or false");
		}
		return b;
	}

	Optional<JsonObject> optObject(String key) throws IOException {
		Object value = fields.get(key);
		return value == null ? Optional.empty() : Optional.of(of(source + " '" + key + "'", value));
	}

	List<?> list(String key) throws IOException {
		Object value = fields.get(key);
		if (!(value instanceof List<?> list)) {
			throw error(key, value == null ? "is missing" : "is not an array");
		}
		return list;
	}
}
