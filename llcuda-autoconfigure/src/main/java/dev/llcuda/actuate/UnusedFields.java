package dev.llcuda.actuate;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The fields of a registry write that its operation takes but would not use (a
 * {@code "model"} beside a {@code "path"} to register): refused with 400 naming each, so
 * the caller never believes they took effect.
 */
final class UnusedFields {

	private final String operation;

	private final List<String> given = new ArrayList<>();

	private UnusedFields(String operation) {
		this.operation = operation;
	}

	/** Fields that {@code operation} (as the caller reads it) does not use. */
	static UnusedFields of(String operation) {
		return new UnusedFields(operation);
	}

	UnusedFields field(String name, @Nullable Object value) {
		if (value != null) {
			this.given.add(name);
		}
		return this;
	}

	/**
	 * @throws IllegalArgumentException naming every field given, when there is one
	 */
	void refuse() {
		if (!this.given.isEmpty()) {
			throw new IllegalArgumentException(
					"\"" + String.join("\", \"", this.given) + "\" " + (this.given.size() == 1 ? "does" : "do")
							+ " not go with " + this.operation + "; leave " + (this.given.size() == 1 ? "it" : "them")
							+ " out or send a write that uses " + (this.given.size() == 1 ? "it" : "them"));
		}
	}

}
