package dev.llcuda.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of the shared chat-template vectors renders exactly as Hugging Face renders
 * it.
 */
class SharedTemplateCasesTests {

	static List<TemplateCase> cases() throws IOException {
		return TemplateCase.readAll(SharedTemplates.DIR.resolve("cases.json"));
	}

	@Test
	void theSharedFileHoldsAllEightyFourCases() throws IOException {
		assertEquals(84, cases().size());
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("namedCases")
	void rendersExactlyAsHuggingFace(String name, TemplateCase testCase) {
		assertNull(testCase.mismatch(SharedTemplates.load(testCase.template())), name);
	}

	static List<Object[]> namedCases() throws IOException {
		return cases().stream().map(c -> new Object[] { c.name(), c }).toList();
	}

}
