package dev.llcuda.template;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared templates with tools, tool calls and results, reasoning content and template
 * keyword arguments (builtin_tools, documents, controls, enable_thinking...): paths the
 * shared cases do not reach, such as {@code tojson(indent=4)}, macros over JSON schemas
 * and dict iteration. Expected outputs come from Python's Jinja2 with Hugging Face's
 * settings.
 */
class ToolCallingCasesTests {

	@ParameterizedTest(name = "{0}")
	@MethodSource("namedCases")
	void rendersExactlyAsHuggingFace(String name, TemplateCase testCase) {
		assertNull(testCase.mismatch(SharedTemplates.load(testCase.template())), name);
	}

	static List<Object[]> namedCases() throws IOException, URISyntaxException {
		Path file = Path.of(ToolCallingCasesTests.class.getResource("tool-cases.json").toURI());
		return TemplateCase.readAll(file).stream().map(c -> new Object[] { c.name(), c }).toList();
	}

}
