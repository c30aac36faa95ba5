package dev.llcuda.tools;

/**
 * Streams a reply that may hold tool calls: text is let through as soon as its syntax
 * says it cannot be part of a call; what may still be one is held until the end, then
 * parsed. Not thread-safe: one per reply, fed in order.
 */
public final class ToolCallStream {

	private final ToolCallSyntax syntax;

	private final StringBuilder output = new StringBuilder();

	private int emitted;

	public ToolCallStream(ToolCallSyntax syntax) {
		this.syntax = syntax;
	}

	/**
	 * Adds the next generated piece; returns the text that can be shown now (maybe
	 * empty).
	 */
	public String accept(String piece) {
		this.output.append(piece);
		int plain = this.syntax.plainTextPrefix(this.output.toString());
		if (plain <= this.emitted) {
			return "";
		}
		String text = this.output.substring(this.emitted, plain);
		this.emitted = plain;
		return text;
	}

	/**
	 * At the end of the reply: the held text parsed into the rest of the content and the
	 * tool calls.
	 */
	public ParsedReply finish() {
		return this.syntax.parse(this.output.substring(this.emitted));
	}

}
