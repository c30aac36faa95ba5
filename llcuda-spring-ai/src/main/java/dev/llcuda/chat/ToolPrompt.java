package dev.llcuda.chat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.ai.tool.definition.ToolDefinition;

import dev.llcuda.template.Json;
import dev.llcuda.tools.ToolCallFormat;

/**
 * The tools of one request as the model sees them: the format its chat template teaches
 * and the definitions, OpenAI-style ({@code {"type": "function", "function": {name,
 * description, parameters}}}), which is what tool-aware chat templates read from their
 * {@code tools} variable.
 */
record ToolPrompt(ToolCallFormat format, List<Map<String, Object>> definitions) {

	static ToolPrompt of(ToolCallFormat format, List<ToolDefinition> tools) {
		return new ToolPrompt(format, tools.stream().map(ToolPrompt::definition).toList());
	}

	private static Map<String, Object> definition(ToolDefinition tool) {
		Map<String, Object> function = new LinkedHashMap<>();
		function.put("name", tool.name());
		function.put("description", tool.description());
		function.put("parameters", Json.parse(tool.inputSchema(), "the input schema of tool " + tool.name()));
		Map<String, Object> definition = new LinkedHashMap<>();
		definition.put("type", "function");
		definition.put("function", function);
		return definition;
	}
}
