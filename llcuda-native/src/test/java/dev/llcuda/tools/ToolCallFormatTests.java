package dev.llcuda.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.llcuda.template.ChatTemplate;
import dev.llcuda.template.TemplateException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The format of each shared template is found from what it renders for a probe tool. */
class ToolCallFormatTests {

	private static final Path TEMPLATES = Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"),
			"templates");

	@ParameterizedTest
	@CsvSource(nullValues = "UNREADABLE", value = { "meta-llama-Llama-3.1-8B-Instruct.jinja, LLAMA3_JSON",
			"meta-llama-Llama-3.2-3B-Instruct.jinja, LLAMA3_JSON",
			"NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja, HERMES", "Qwen-Qwen2.5-7B-Instruct.jinja, HERMES",
			"Qwen-Qwen3-0.6B.jinja, HERMES", "mistralai-Mistral-Nemo-Instruct-2407.jinja, MISTRAL",
			"Mistral-Small-3.2-24B-Instruct-2506.jinja, MISTRAL", "google-gemma-2-2b-it.jinja, GENERIC_JSON",
			"microsoft-Phi-3.5-mini-instruct.jinja, GENERIC_JSON",
			"deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja, GENERIC_JSON",
			"ibm-granite-granite-3.3-2B-Instruct.jinja, UNREADABLE", "openai-gpt-oss-120b.jinja, UNREADABLE" })
	void detectsTheSyntaxEachTemplateTeaches(String file, ToolCallFormat expected)
			throws IOException, TemplateException {
		ChatTemplate template = ChatTemplate.compile(file, Files.readString(TEMPLATES.resolve(file)));
		assertEquals(Optional.ofNullable(expected), ToolCallFormat.detect(template));
	}

	@ParameterizedTest
	@CsvSource({ "llama2, GENERIC_JSON", "llama3, GENERIC_JSON", "chatml, GENERIC_JSON" })
	void builtInTemplatesWithoutToolSyntaxUseTheGenericPrompt(String family, ToolCallFormat expected) {
		assertEquals(Optional.of(expected), ToolCallFormat.detect(ChatTemplate.defaultFor(family)));
	}

}
