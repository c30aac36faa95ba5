package dev.llcuda.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The published templates of the model families the shared cases leave out (Gemma 3,
 * Mistral v0.1), rendered as Hugging Face renders them; the cases file says where each
 * template comes from.
 */
class FamilyTemplateCasesTests {

	private static final Path DIR = directory();

	static ChatTemplate load(String file) {
		try {
			return ChatTemplate.compile(file, Files.readString(DIR.resolve(file), StandardCharsets.UTF_8));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		catch (TemplateException e) {
			throw new IllegalStateException(e.getMessage(), e);
		}
	}

	static List<TemplateCase> cases() throws IOException {
		return TemplateCase.readAll(DIR.resolve("cases.json"));
	}

	@Test
	void everyCaseIsRead() throws IOException {
		assertEquals(6, cases().size());
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("namedCases")
	void rendersExactlyAsHuggingFace(String name, TemplateCase testCase) {
		assertNull(testCase.mismatch(load(testCase.template())), name);
	}

	static List<Object[]> namedCases() throws IOException {
		return cases().stream().map(c -> new Object[] { c.name(), c }).toList();
	}

	private static Path directory() {
		try {
			return Path
				.of(Objects.requireNonNull(FamilyTemplateCasesTests.class.getResource("families/cases.json"),
						"test resource families/cases.json")
					.toURI())
				.getParent();
		}
		catch (URISyntaxException e) {
			throw new IllegalStateException(e);
		}
	}

}
