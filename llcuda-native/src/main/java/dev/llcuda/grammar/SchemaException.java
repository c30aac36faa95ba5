package dev.llcuda.grammar;

/**
 * A JSON Schema that cannot be turned into a grammar; the message names the keyword and
 * its path.
 */
public final class SchemaException extends IllegalArgumentException {

	public SchemaException(String path, String message) {
		super("JSON schema " + path + ": " + message);
	}

}
