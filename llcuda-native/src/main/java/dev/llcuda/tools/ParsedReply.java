package dev.llcuda.tools;

import java.util.List;

/**
 * A model's reply split into its text and its tool calls.
 *
 * @param content the text outside tool calls (all of it when the output held no
 * well-formed call)
 * @param toolCalls in the order the model wrote them; empty when there are none
 */
public record ParsedReply(String content, List<ToolCall> toolCalls) {

	public ParsedReply {
		toolCalls = List.copyOf(toolCalls);
	}

	/**
	 * This reply with its first tool call only (a caller that allows no parallel calls).
	 */
	public ParsedReply withFirstCallOnly() {
		return toolCalls.size() <= 1 ? this : new ParsedReply(content, toolCalls.subList(0, 1));
	}

	/** Output that is only text: no call, or a call that does not parse. */
	static ParsedReply text(String content) {
		return new ParsedReply(content, List.of());
	}
}
