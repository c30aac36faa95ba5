package dev.llcuda.tools;

import java.util.Objects;

/**
 * One tool call read from a model's output.
 *
 * @param name the function's name
 * @param arguments its arguments: a JSON object, compact
 */
public record ToolCall(String name, String arguments) {

	public ToolCall {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(arguments, "arguments");
	}
}
