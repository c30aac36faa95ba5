package dev.llcuda.grammar;

import static dev.llcuda.grammar.JsonSchemaGrammarTests.accepts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.tools.ToolCall;
import dev.llcuda.tools.ToolCallFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Forced tool calls in each format: the grammar accepts exactly calls of the given tools
 * in the syntax the format's parser reads back, arguments under each tool's schema, one
 * call unless several are allowed (and the format's templates take several).
 */
class ForcedToolCallGrammarTests {

	private static final Map<String, String> TOOLS = new LinkedHashMap<>();

	static {
		TOOLS.put("get_weather", "{\"type\":\"object\",\"properties\":{\"city\":{\"enum\":[\"Paris\",\"Rome\"]}},"
				+ "\"required\":[\"city\"],\"additionalProperties\":false}");
		TOOLS.put("get_date", "{\"type\":\"object\",\"properties\":{\"day\":{\"type\":\"integer\"}},"
				+ "\"required\":[\"day\"],\"additionalProperties\":false}");
	}

	private final Grammars grammars = new Grammars();

	private void check(ToolCallFormat format, String one, String two, String badArguments) {
		Grammar single = format.forcedCalls(grammars, TOOLS, false);
		Grammar several = format.forcedCalls(grammars, TOOLS, true);
		assertTrue(accepts(single, one), format + " accepts " + one);
		assertTrue(accepts(several, one), format + " (several) accepts " + one);
		assertTrue(accepts(several, two), format + " (several) accepts " + two);
		assertFalse(accepts(single, two), format + " (one call) refuses " + two);
		assertFalse(accepts(several, badArguments), format + " refuses " + badArguments);
		assertFalse(accepts(several, "Sure, let me check."), format + " refuses plain text");
		assertEquals(List.of(new ToolCall("get_weather", "{\"city\":\"Paris\"}")),
				format.syntax().parse(one).toolCalls());
		assertEquals(
				List.of(new ToolCall("get_weather", "{\"city\":\"Paris\"}"), new ToolCall("get_date", "{\"day\":3}")),
				format.syntax().parse(two).toolCalls());
	}

	/**
	 * Llama 3.1-3.3 templates refuse more than one call per assistant turn, so even when
	 * parallel calls are allowed the grammar holds the reply to one; the parser still
	 * reads several separated by {@code ;}.
	 */
	@Test
	void llama3JsonHoldsTheReplyToOneCall() {
		String one = "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}";
		String two = "{\"name\":\"get_weather\",\"parameters\":{\"city\":\"Paris\"}}; "
				+ "{\"name\":\"get_date\",\"parameters\":{\"day\":3}}";
		Grammar several = ToolCallFormat.LLAMA3_JSON.forcedCalls(grammars, TOOLS, true);
		assertTrue(accepts(several, one));
		assertFalse(accepts(several, two));
		assertFalse(accepts(several, "{\"name\":\"get_weather\",\"parameters\":{\"city\":\"Berlin\"}}"));
		assertFalse(accepts(several, "Sure, let me check."));
		assertEquals(List.of(new ToolCall("get_weather", "{\"city\":\"Paris\"}")),
				ToolCallFormat.LLAMA3_JSON.syntax().parse(one).toolCalls());
		assertEquals(
				List.of(new ToolCall("get_weather", "{\"city\":\"Paris\"}"), new ToolCall("get_date", "{\"day\":3}")),
				ToolCallFormat.LLAMA3_JSON.syntax().parse(two).toolCalls());
	}

	@Test
	void hermes() {
		check(ToolCallFormat.HERMES,
				"<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>",
				"<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}\n</tool_call>\n<tool_call>\n"
						+ "{\"name\":\"get_date\",\"arguments\":{\"day\":3}}\n</tool_call>",
				"<tool_call>\n{\"name\":\"get_date\",\"arguments\":{\"day\":\"3\"}}\n</tool_call>");
	}

	@Test
	void mistral() {
		check(ToolCallFormat.MISTRAL, "[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}]",
				"[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}, {\"name\":\"get_date\",\"arguments\":{\"day\":3}}]",
				"[{\"name\":\"get_time\",\"arguments\":{}}]");
	}

	@Test
	void genericJson() {
		check(ToolCallFormat.GENERIC_JSON,
				"{\"tool_calls\": [{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}]}",
				"{\"tool_calls\": [{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}, "
						+ "{\"name\":\"get_date\",\"arguments\":{\"day\":3}}]}",
				"{\"tool_calls\": [{\"name\":\"get_weather\",\"arguments\":{}}]}");
	}

	@Test
	void aToolSchemaWithAnUnsupportedKeywordIsRefusedNamingIt() {
		SchemaException refused = assertThrows(SchemaException.class,
				() -> ToolCallFormat.HERMES.forcedCalls(grammars, Map.of("f",
						"{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\",\"pattern\":\"^(?=a)a$\"}}}"),
						false));
		assertTrue(refused.getMessage().contains("pattern") && refused.getMessage().contains("lookaround"),
				refused.getMessage());
	}

}
