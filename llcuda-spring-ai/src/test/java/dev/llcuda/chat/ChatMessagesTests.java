package dev.llcuda.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.tool.definition.ToolDefinition;

import dev.llcuda.template.ChatTemplate;
import dev.llcuda.tools.ToolCallFormat;

/**
 * A whole tool round trip renders through every shared template whose tool syntax llcuda
 * reads.
 */
class ChatMessagesTests {

	private static final Path TEMPLATES = Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"),
			"templates");

	@ParameterizedTest
	@ValueSource(strings = { "meta-llama-Llama-3.1-8B-Instruct.jinja", "meta-llama-Llama-3.2-3B-Instruct.jinja",
			"NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja", "Qwen-Qwen2.5-7B-Instruct.jinja",
			"Qwen-Qwen3-0.6B.jinja", "mistralai-Mistral-Nemo-Instruct-2407.jinja",
			"Mistral-Small-3.2-24B-Instruct-2506.jinja", "google-gemma-2-2b-it.jinja",
			"microsoft-Phi-3.5-mini-instruct.jinja" })
	void aToolRoundTripRendersWithTheToolsItsCallAndItsResult(String file) throws Exception {
		ChatTemplate template = ChatTemplate.compile(file, Files.readString(TEMPLATES.resolve(file)));
		ToolCallFormat format = ToolCallFormat.detect(template).orElseThrow();
		ToolDefinition weather = ToolDefinition.builder()
			.name("get_weather")
			.description("The weather in a city.")
			.inputSchema("{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}")
			.build();
		ToolPrompt tools = ToolPrompt.of(format, List.of(weather));
		List<Message> conversation = List.of(new UserMessage("Weather in Paris?"), AssistantMessage.builder()
			.content("")
			.toolCalls(List
				.of(new AssistantMessage.ToolCall("a1B2c3D4e", "function", "get_weather", "{\"city\":\"Paris\"}")))
			.build(),
				ToolResponseMessage.builder()
					.responses(
							List.of(new ToolResponseMessage.ToolResponse("a1B2c3D4e", "get_weather", "18C and sunny")))
					.build(),
				new AssistantMessage("It is 18C."), new UserMessage("And tomorrow?"));
		String rendered = template.render(ChatMessages.of(conversation, tools), true,
				format.rendersTools() ? Map.of("tools", tools.definitions(), "bos_token", "<s>", "eos_token", "</s>")
						: Map.of("bos_token", "<s>", "eos_token", "</s>"));
		assertThat(rendered).contains("The weather in a city.", "Paris", "18C and sunny", "It is 18C.",
				"And tomorrow?");
	}

}
