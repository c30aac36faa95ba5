package dev.llcuda.tools;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.llcuda.template.Json;

/**
 * The fallback for chat templates that ignore tools: the tool definitions and how to call
 * them are put before the conversation's first instructions (the caller picks the
 * message), earlier calls are written into the assistant's turn as the same JSON, and
 * tool results come back as a user message; {@link ToolCallFormat#GENERIC_JSON} reads the
 * replies.
 */
public final class GenericToolPrompt {

	private GenericToolPrompt() {
	}

	/**
	 * The instructions for {@code tools} (OpenAI-style {@code {"type": "function",
	 * "function": {...}}} maps).
	 */
	public static String instructions(List<?> tools) {
		StringBuilder text = new StringBuilder("You can call tools. Their definitions, one JSON object per line:\n");
		for (Object tool : tools) {
			text.append(Json.write(tool)).append('\n');
		}
		return text.append("To call one or more tools, reply with only this JSON and nothing else: ")
			.append("{\"tool_calls\": [{\"name\": \"<tool name>\", \"arguments\": {<arguments as the tool's ")
			.append("parameters define them>}}]}\nThe results come back in the next message. ")
			.append("If no tool is needed, answer normally.")
			.toString();
	}

	/**
	 * An earlier assistant turn's calls, as the JSON the instructions ask for.
	 * @throws IllegalArgumentException when a call's arguments are not a JSON object
	 */
	public static String calls(List<ToolCall> calls) {
		List<Map<String, Object>> written = calls.stream().map(call -> {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("name", call.name());
			map.put("arguments", Json.parse(call.arguments(), "the arguments of tool call " + call.name()));
			return map;
		}).toList();
		return Json.write(Map.of("tool_calls", written));
	}

	/** One tool result as text of a user message. */
	public static String result(String name, String callId, String content) {
		return "Result of tool call " + callId + " (" + name + "): " + content;
	}

}
