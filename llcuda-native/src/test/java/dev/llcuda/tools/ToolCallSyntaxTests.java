package dev.llcuda.tools;

import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each family's tool-call syntax: well-formed calls become calls, anything malformed
 * stays text.
 */
class ToolCallSyntaxTests {

	private static final ToolCall WEATHER = new ToolCall("get_weather", "{\"city\":\"Zürich\",\"days\":2}");

	private static final ToolCall TIME = new ToolCall("get_time", "{}");

	private static void assertCalls(ToolCallSyntax syntax, String output, String content, ToolCall... calls) {
		assertEquals(new ParsedReply(content, List.of(calls)), syntax.parse(output), output);
	}

	private static void assertText(ToolCallSyntax syntax, String output) {
		assertEquals(new ParsedReply(output, List.of()), syntax.parse(output), output);
	}

	@Nested
	class Llama3Json {

		private final ToolCallSyntax syntax = ToolCallFormat.LLAMA3_JSON.syntax();

		@Test
		void readsAPlainJsonCallWithParameters() {
			assertCalls(syntax, " {\"name\": \"get_weather\", \"parameters\": {\"city\": \"Zürich\", \"days\": 2}}\n",
					"", WEATHER);
		}

		@Test
		void readsACallAfterThePythonTag() {
			assertCalls(syntax,
					"<|python_tag|>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\", \"days\": 2}}", "",
					WEATHER);
		}

		@Test
		void readsSeveralCallsSeparatedBySemicolons() {
			assertCalls(syntax, "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Zürich\", \"days\": 2}}; "
					+ "{\"name\": \"get_time\", \"parameters\": {}}", "", WEATHER, TIME);
		}

		@Test
		void readsArgumentsWrittenAsAJsonString() {
			assertCalls(syntax,
					"{\"name\": \"get_weather\", \"parameters\": \"{\\\"city\\\": \\\"Zürich\\\", \\\"days\\\": 2}\"}",
					"", WEATHER);
		}

		@Test
		void keepsMalformedOrOtherOutputAsText() {
			assertText(syntax, "It is sunny in Zürich.");
			assertText(syntax, "{\"name\": \"get_weather\", \"parameters\": {\"city\": ");
			assertText(syntax, "{\"city\": \"Zürich\"}");
			assertText(syntax, "{\"name\": 3, \"parameters\": {}}");
			assertText(syntax, "{\"name\": \"get_weather\", \"parameters\": [1]}");
			assertText(syntax, "{\"name\": \"get_weather\", \"parameters\": {}} and some words");
			assertText(syntax, "");
		}

		@Test
		void holdsOnlyWhatMayStartACall() {
			assertEquals(0, syntax.plainTextPrefix(""));
			assertEquals(0, syntax.plainTextPrefix("  {\"na"));
			assertEquals(0, syntax.plainTextPrefix("<|pyth"));
			assertEquals(5, syntax.plainTextPrefix("Hello"));
		}

	}

	@Nested
	class Hermes {

		private final ToolCallSyntax syntax = ToolCallFormat.HERMES.syntax();

		@Test
		void readsOneCall() {
			assertCalls(syntax,
					"<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\", \"days\": 2}}\n</tool_call>",
					"", WEATHER);
		}

		@Test
		void readsParallelCallsAndKeepsTheTextAround() {
			assertCalls(syntax,
					"Let me look.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\", "
							+ "\"days\": 2}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>",
					"Let me look.\n\n", WEATHER, TIME);
		}

		@Test
		void acceptsAMissingClosingTagAtTheEnd() {
			assertCalls(syntax, "<tool_call>\n{\"name\": \"get_time\"}", "", TIME);
		}

		@Test
		void keepsMalformedOutputAsText() {
			assertText(syntax, "No tools needed.");
			assertText(syntax, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": }\n</tool_call>");
			assertText(syntax, "<tool_call>not json</tool_call>");
			assertText(syntax, "<tool_call>{\"arguments\": {}}</tool_call>");
		}

		@Test
		void streamsTextUpToTheOpeningTag() {
			assertEquals(5, syntax.plainTextPrefix("Hello"));
			assertEquals(6, syntax.plainTextPrefix("Hello <tool_"));
			assertEquals(6, syntax.plainTextPrefix("Hello <tool_call>{\"name\""));
			assertEquals(8, syntax.plainTextPrefix("Hello <b"));
			assertEquals(0, syntax.plainTextPrefix(" \n<tool_call>"));
		}

	}

	@Nested
	class Mistral {

		private final ToolCallSyntax syntax = ToolCallFormat.MISTRAL.syntax();

		@Test
		void readsTheJsonArrayFormWithAndWithoutItsMarker() {
			String calls = "[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\", \"days\": 2}, \"id\": \"abc123def\"}, "
					+ "{\"name\": \"get_time\", \"arguments\": {}}]";
			assertCalls(syntax, "[TOOL_CALLS]" + calls, "", WEATHER, TIME);
			assertCalls(syntax, calls, "", WEATHER, TIME);
		}

		@Test
		void readsTheNamedFormWithAndWithoutItsMarkers() {
			assertCalls(syntax, "[TOOL_CALLS]get_weather[CALL_ID]abc123def[ARGS]{\"city\": \"Zürich\", \"days\": 2}"
					+ "[TOOL_CALLS]get_time[ARGS]{}", "", WEATHER, TIME);
			assertCalls(syntax, "get_weather{\"city\": \"Zürich\", \"days\": 2}", "", WEATHER);
		}

		@Test
		void keepsMalformedOutputAsText() {
			assertText(syntax, "The weather is fine.");
			assertText(syntax, "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Z");
			assertText(syntax, "[1, 2]");
			assertText(syntax, "get_weather{\"city\": \"Zürich\"} then more");
			assertText(syntax, "get_weather[ARGS]");
		}

		@Test
		void holdsOnlyWhatMayStartACall() {
			assertEquals(0, syntax.plainTextPrefix("[TOOL"));
			assertEquals(0, syntax.plainTextPrefix("get_weather"));
			assertEquals(0, syntax.plainTextPrefix("get_weather{\"ci"));
			assertEquals(11, syntax.plainTextPrefix("Hello world"));
		}

	}

	@Nested
	class GenericJson {

		private final ToolCallSyntax syntax = ToolCallFormat.GENERIC_JSON.syntax();

		@Test
		void readsTheInstructedShapeASingleCallAndAFencedOne() {
			assertCalls(syntax,
					"{\"tool_calls\": [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\", \"days\": 2}},"
							+ " {\"name\": \"get_time\", \"arguments\": {}}]}",
					"", WEATHER, TIME);
			assertCalls(syntax, "{\"name\": \"get_time\", \"arguments\": {}}", "", TIME);
			assertCalls(syntax, "```json\n{\"tool_calls\": [{\"name\": \"get_time\", \"arguments\": {}}]}\n```", "",
					TIME);
		}

		@Test
		void keepsOtherJsonAndMalformedOutputAsText() {
			assertText(syntax, "{\"answer\": 42}");
			assertText(syntax, "{\"tool_calls\": []}");
			assertText(syntax, "{\"tool_calls\": [{\"name\": \"get_time\", \"arguments\": 5}]}");
			assertText(syntax, "{\"tool_calls\": [");
			assertText(syntax, "Plain answer.");
		}

	}

}
