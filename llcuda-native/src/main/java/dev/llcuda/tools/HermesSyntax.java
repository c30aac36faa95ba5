package dev.llcuda.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Hermes, Qwen 2.5 and Qwen 3: each call is {@code <tool_call>{"name": ..., "arguments":
 * {...}}</tool_call>}, anywhere in the reply and as many as the model wants; the text
 * around them is the content. A missing closing tag at the very end (generation stopped
 * right after the JSON) is accepted.
 */
final class HermesSyntax implements ToolCallSyntax {

	static final String OPEN = "<tool_call>";

	static final String CLOSE = "</tool_call>";

	@Override
	public ParsedReply parse(String output) {
		StringBuilder content = new StringBuilder();
		List<ToolCall> calls = new ArrayList<>();
		int pos = 0;
		int open;
		while ((open = output.indexOf(OPEN, pos)) >= 0) {
			content.append(output, pos, open);
			int bodyStart = open + OPEN.length();
			int close = output.indexOf(CLOSE, bodyStart);
			int bodyEnd = close < 0 ? output.length() : close;
			Optional<ToolCall> call = JsonCalls.value(output.substring(bodyStart, bodyEnd).strip())
				.flatMap(value -> JsonCalls.call(value, "arguments", "parameters"));
			if (call.isEmpty()) {
				return ParsedReply.text(output);
			}
			calls.add(call.get());
			pos = close < 0 ? output.length() : close + CLOSE.length();
		}
		content.append(output, pos, output.length());
		return new ParsedReply(content.toString().isBlank() ? "" : content.toString(), calls);
	}

	/**
	 * Whitespace alone is held too: before a call it is no content (as {@link #parse}
	 * says).
	 */
	@Override
	public int plainTextPrefix(String partialOutput) {
		int open = partialOutput.indexOf(OPEN);
		int plain = open >= 0 ? open : partialOutput.length() - JsonCalls.partialMarkerAtEnd(partialOutput, OPEN);
		return partialOutput.substring(0, plain).isBlank() ? 0 : plain;
	}

}
