package dev.llcuda.tools;

/** How one family of models writes tool calls, read back from generated text. */
public interface ToolCallSyntax {

	/** Splits a finished output into text and tool calls; malformed calls stay text. */
	ParsedReply parse(String output);

	/**
	 * How many leading characters of an unfinished output are plain text whatever
	 * follows, so they can be streamed; the rest may still turn out to be a tool call.
	 * Never decreases as the output grows.
	 */
	int plainTextPrefix(String partialOutput);

}
