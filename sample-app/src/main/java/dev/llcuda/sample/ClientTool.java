package dev.llcuda.sample;

import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

/**
 * A tool of an API request: the model sees its definition, and its calls go back to the
 * API client, which runs them; the service never does.
 */
record ClientTool(ToolDefinition definition) implements ToolCallback {

	@Override
	public ToolDefinition getToolDefinition() {
		return this.definition;
	}

	@Override
	public String call(String toolInput) {
		throw new UnsupportedOperationException("tool " + this.definition.name()
				+ " belongs to the API client, which runs it; the service only returns its calls");
	}
}
