package dev.llcuda.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.llcuda.template.Json;

/**
 * Llama 3.1/3.2: the whole reply is {@code {"name": ..., "parameters": {...}}}, after
 * {@code <|python_tag|>} when the vocabulary renders it; several calls are separated by
 * {@code ;} or whitespace. {@code arguments} is accepted in place of {@code parameters}.
 */
final class Llama3JsonSyntax implements ToolCallSyntax {

	static final String PYTHON_TAG = "<|python_tag|>";

	@Override
	public ParsedReply parse(String output) {
		String body = output.strip();
		if (body.startsWith(PYTHON_TAG)) {
			body = body.substring(PYTHON_TAG.length()).strip();
		}
		if (!body.startsWith("{")) {
			return ParsedReply.text(output);
		}
		List<ToolCall> calls = new ArrayList<>();
		int pos = 0;
		while (pos < body.length()) {
			Optional<Json.Prefix> value = JsonCalls.valueAt(body, pos);
			Optional<ToolCall> call = value.flatMap(v -> JsonCalls.call(v.value(), "parameters", "arguments"));
			if (call.isEmpty()) {
				return ParsedReply.text(output);
			}
			calls.add(call.get());
			pos = skipSeparator(body, value.get().end());
		}
		return new ParsedReply("", calls);
	}

	@Override
	public int plainTextPrefix(String partialOutput) {
		String start = partialOutput.stripLeading();
		return start.startsWith("{") || JsonCalls.mayStartWith(partialOutput, PYTHON_TAG) ? 0 : partialOutput.length();
	}

	private static int skipSeparator(String text, int pos) {
		while (pos < text.length() && (Character.isWhitespace(text.charAt(pos)) || text.charAt(pos) == ';')) {
			pos++;
		}
		return pos;
	}

}
