package dev.llcuda.tools;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fallback for templates without tool syntax: the whole reply is the JSON that
 * {@link GenericToolPrompt} asks for, {@code {"tool_calls": [{"name": ..., "arguments":
 * {...}}]}}, or a single call object; a Markdown code fence around it is accepted.
 */
final class GenericJsonSyntax implements ToolCallSyntax {

	private static final String FENCE = "```";

	@Override
	public ParsedReply parse(String output) {
		Optional<List<ToolCall>> calls = JsonCalls.value(withoutFence(output.strip())).flatMap(value -> {
			if (value instanceof Map<?, ?> map && map.size() == 1 && map.containsKey("tool_calls")) {
				return JsonCalls.calls(map.get("tool_calls"), "arguments", "parameters");
			}
			return JsonCalls.call(value, "arguments", "parameters").map(List::of);
		});
		return calls.map(list -> new ParsedReply("", list)).orElseGet(() -> ParsedReply.text(output));
	}

	@Override
	public int plainTextPrefix(String partialOutput) {
		String start = partialOutput.stripLeading();
		return start.startsWith("{") || JsonCalls.mayStartWith(partialOutput, FENCE) ? 0 : partialOutput.length();
	}

	private static String withoutFence(String body) {
		if (!body.startsWith(FENCE) || !body.endsWith(FENCE) || body.length() < 2 * FENCE.length()) {
			return body;
		}
		String inner = body.substring(FENCE.length(), body.length() - FENCE.length());
		int lineEnd = inner.indexOf('\n');
		return lineEnd < 0 ? inner : inner.substring(lineEnd + 1);
	}

}
