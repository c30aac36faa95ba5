package dev.llcuda.chat;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What the answer must be, enforced while decoding (constrained decoding): any JSON
 * object, or one JSON value valid against a JSON Schema. Unsupported schema keywords are
 * refused with their path.
 *
 * @param type the kind of output
 * @param schema the JSON Schema text ({@link Type#JSON_SCHEMA} only)
 */
public record LlcudaResponseFormat(Type type, @Nullable String schema) {

	public enum Type {

		/** Any JSON object ("JSON mode"). */
		JSON_OBJECT,
		/** One JSON value valid against {@link #schema()}. */
		JSON_SCHEMA

	}

	public LlcudaResponseFormat {
		Objects.requireNonNull(type, "type");
		if ((type == Type.JSON_SCHEMA) != (schema != null)) {
			throw new IllegalArgumentException("a schema goes with type JSON_SCHEMA, and only with it");
		}
	}

	public static LlcudaResponseFormat jsonObject() {
		return new LlcudaResponseFormat(Type.JSON_OBJECT, null);
	}

	public static LlcudaResponseFormat jsonSchema(String schema) {
		return new LlcudaResponseFormat(Type.JSON_SCHEMA, schema);
	}
}
