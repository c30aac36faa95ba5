package dev.llcuda.tools;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Streaming lets plain text through at once and holds back what may become a tool call.
 */
class ToolCallStreamTests {

	private static String feed(ToolCallStream stream, String... pieces) {
		StringBuilder shown = new StringBuilder();
		for (String piece : pieces) {
			shown.append(stream.accept(piece));
		}
		return shown.toString();
	}

	@Test
	void plainTextIsShownAsItComes() {
		ToolCallStream stream = new ToolCallStream(ToolCallFormat.LLAMA3_JSON.syntax());
		assertEquals("", stream.accept(" "));
		assertEquals(" It", stream.accept("It"));
		assertEquals(" is", stream.accept(" is"));
		assertEquals(new ParsedReply("", List.of()), stream.finish());
	}

	@Test
	void aWholeReplyCallIsHeldAndParsedAtTheEnd() {
		ToolCallStream stream = new ToolCallStream(ToolCallFormat.LLAMA3_JSON.syntax());
		assertEquals("", feed(stream, "{\"name\": ", "\"get_time\", ", "\"parameters\": {}}"));
		assertEquals(new ParsedReply("", List.of(new ToolCall("get_time", "{}"))), stream.finish());
	}

	@Test
	void textBeforeAHermesCallIsShownAndTheCallHeld() {
		ToolCallStream stream = new ToolCallStream(ToolCallFormat.HERMES.syntax());
		assertEquals("Checking. ",
				feed(stream, "Check", "ing. <tool", "_call>{\"name\": \"get_time\"}", "</tool_call>"));
		assertEquals(new ParsedReply("", List.of(new ToolCall("get_time", "{}"))), stream.finish());
	}

	@Test
	void aHeldBeginningThatTurnsOutNotToBeACallIsReturnedAsText() {
		ToolCallStream stream = new ToolCallStream(ToolCallFormat.HERMES.syntax());
		assertEquals("a ", feed(stream, "a <tool_call>{broken"));
		assertEquals(new ParsedReply("<tool_call>{broken", List.of()), stream.finish());
	}

}
