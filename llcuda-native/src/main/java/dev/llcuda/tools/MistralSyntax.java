package dev.llcuda.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.llcuda.template.Json;

/**
 * Mistral: the whole reply is {@code [TOOL_CALLS][{"name": ..., "arguments": {...}},
 * ...]} (Nemo, v3 tokenizers) or {@code [TOOL_CALLS]name[CALL_ID]id[ARGS]{...}} repeated
 * (v11 tokenizers, Mistral Small 3.2). The bracketed markers are control tokens that
 * generated text usually leaves out, so both forms are also read without them.
 */
final class MistralSyntax implements ToolCallSyntax {

	static final String MARKER = "[TOOL_CALLS]";

	private static final String CALL_ID = "[CALL_ID]";

	private static final String ARGS = "[ARGS]";

	private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");

	/** A name alone, or a name already followed by what starts its id or arguments. */
	private static final Pattern NAMED_CALL_START = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*(\\s*[\\[{].*)?",
			Pattern.DOTALL);

	@Override
	public ParsedReply parse(String output) {
		String body = withoutMarker(output.strip());
		Optional<List<ToolCall>> calls = body.startsWith("[")
				? JsonCalls.value(body).flatMap(value -> JsonCalls.calls(value, "arguments", "parameters"))
				: namedCalls(body);
		return calls.map(list -> new ParsedReply("", list)).orElseGet(() -> ParsedReply.text(output));
	}

	@Override
	public int plainTextPrefix(String partialOutput) {
		String start = partialOutput.stripLeading();
		return start.isEmpty() || start.startsWith("[") || NAMED_CALL_START.matcher(start).matches() ? 0
				: partialOutput.length();
	}

	private static Optional<List<ToolCall>> namedCalls(String body) {
		List<ToolCall> calls = new ArrayList<>();
		int pos = 0;
		while (pos < body.length()) {
			Matcher name = NAME.matcher(body).region(pos, body.length());
			if (!name.lookingAt()) {
				return Optional.empty();
			}
			pos = name.end();
			if (body.startsWith(CALL_ID, pos) || body.startsWith(ARGS, pos)) {
				pos = body.indexOf('{', pos);
				if (pos < 0) {
					return Optional.empty();
				}
			}
			Optional<Json.Prefix> arguments = JsonCalls.valueAt(body, pos);
			if (arguments.isEmpty() || !(arguments.get().value() instanceof Map<?, ?>)) {
				return Optional.empty();
			}
			calls.add(new ToolCall(name.group(), Json.write(arguments.get().value())));
			pos = skipSpace(body, arguments.get().end());
			if (body.startsWith(MARKER, pos)) {
				pos = skipSpace(body, pos + MARKER.length());
			}
		}
		return calls.isEmpty() ? Optional.empty() : Optional.of(calls);
	}

	private static String withoutMarker(String body) {
		return body.startsWith(MARKER) ? body.substring(MARKER.length()).strip() : body;
	}

	private static int skipSpace(String text, int pos) {
		while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
			pos++;
		}
		return pos;
	}

}
