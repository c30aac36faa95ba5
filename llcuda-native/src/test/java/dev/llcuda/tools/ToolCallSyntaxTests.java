package dev.llcuda.tools;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

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

	@ParameterizedTest
	@MethodSource("malformedOrOtherOutputs")
	void keepsMalformedOrOtherOutputAsText(ToolCallFormat format, String output) {
		assertEquals(new ParsedReply(output, List.of()), format.syntax().parse(output), output);
	}

	static Stream<Arguments> malformedOrOtherOutputs() {
		return Stream.of(arguments(ToolCallFormat.LLAMA3_JSON, "It is sunny in Zürich."),
				arguments(ToolCallFormat.LLAMA3_JSON, "{\"name\": \"get_weather\", \"parameters\": {\"city\": "),
				arguments(ToolCallFormat.LLAMA3_JSON, "{\"city\": \"Zürich\"}"),
				arguments(ToolCallFormat.LLAMA3_JSON, "{\"name\": 3, \"parameters\": {}}"),
				arguments(ToolCallFormat.LLAMA3_JSON, "{\"name\": \"get_weather\", \"parameters\": [1]}"),
				arguments(ToolCallFormat.LLAMA3_JSON, "{\"name\": \"get_weather\", \"parameters\": {}} and some words"),
				arguments(ToolCallFormat.LLAMA3_JSON, ""), arguments(ToolCallFormat.HERMES, "No tools needed."),
				arguments(ToolCallFormat.HERMES,
						"<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": }\n</tool_call>"),
				arguments(ToolCallFormat.HERMES, "<tool_call>not json</tool_call>"),
				arguments(ToolCallFormat.HERMES, "<tool_call>{\"arguments\": {}}</tool_call>"),
				arguments(ToolCallFormat.MISTRAL, "The weather is fine."),
				arguments(ToolCallFormat.MISTRAL,
						"[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Z"),
				arguments(ToolCallFormat.MISTRAL, "[1, 2]"),
				arguments(ToolCallFormat.MISTRAL, "get_weather{\"city\": \"Zürich\"} then more"),
				arguments(ToolCallFormat.MISTRAL, "get_weather[ARGS]"),
				arguments(ToolCallFormat.GENERIC_JSON, "{\"answer\": 42}"),
				arguments(ToolCallFormat.GENERIC_JSON, "{\"tool_calls\": []}"),
				arguments(ToolCallFormat.GENERIC_JSON,
						"{\"tool_calls\": [{\"name\": \"get_time\", \"arguments\": 5}]}"),
				arguments(ToolCallFormat.GENERIC_JSON, "{\"tool_calls\": ["),
				arguments(ToolCallFormat.GENERIC_JSON, "Plain answer."));
	}

	/** Text that may still start a call is held back; the rest streams at once. */
	@ParameterizedTest
	@MethodSource("plainTextPrefixes")
	void holdsOnlyWhatMayStartACall(ToolCallFormat format, String output, int plainText) {
		assertEquals(plainText, format.syntax().plainTextPrefix(output));
	}

	static Stream<Arguments> plainTextPrefixes() {
		return Stream.of(arguments(ToolCallFormat.LLAMA3_JSON, "", 0),
				arguments(ToolCallFormat.LLAMA3_JSON, "  {\"na", 0), arguments(ToolCallFormat.LLAMA3_JSON, "<|pyth", 0),
				arguments(ToolCallFormat.LLAMA3_JSON, "Hello", 5), arguments(ToolCallFormat.HERMES, "Hello", 5),
				arguments(ToolCallFormat.HERMES, "Hello <tool_", 6),
				arguments(ToolCallFormat.HERMES, "Hello <tool_call>{\"name\"", 6),
				arguments(ToolCallFormat.HERMES, "Hello <b", 8), arguments(ToolCallFormat.HERMES, " \n<tool_call>", 0),
				arguments(ToolCallFormat.MISTRAL, "[TOOL", 0), arguments(ToolCallFormat.MISTRAL, "get_weather", 0),
				arguments(ToolCallFormat.MISTRAL, "get_weather{\"ci", 0),
				arguments(ToolCallFormat.MISTRAL, "Hello world", 11));
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

	}

}
