package dev.llcuda.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every case of the shared chat-template vectors renders exactly as Hugging Face renders it. */
class SharedTemplateCasesTests {

    private static final Path TEMPLATES =
            Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"), "templates");
    private static final Map<String, ChatTemplate> COMPILED = new HashMap<>();

    static List<TemplateCase> cases() throws IOException {
        return TemplateCase.readAll(TEMPLATES.resolve("cases.json"));
    }

    @Test
    void theSharedFileHoldsAllEightyFourCases() throws IOException {
        assertEquals(84, cases().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("namedCases")
    void rendersExactlyAsHuggingFace(String name, TemplateCase testCase) throws Exception {
        assertNull(testCase.mismatch(compiled(testCase.template())), name);
    }

    static List<Object[]> namedCases() throws IOException {
        return cases().stream().map(c -> new Object[] {c.name(), c}).toList();
    }

    private static synchronized ChatTemplate compiled(String file) throws IOException, TemplateException {
        ChatTemplate template = COMPILED.get(file);
        if (template == null) {
            template = ChatTemplate.compile(file, Files.readString(TEMPLATES.resolve(file), StandardCharsets.UTF_8));
            COMPILED.put(file, template);
        }
        return template;
    }
}
