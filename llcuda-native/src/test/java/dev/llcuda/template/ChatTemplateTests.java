package dev.llcuda.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The public API: rendering chat messages, built-in fallback templates and family
 * detection.
 */
class ChatTemplateTests {

	private static final List<ChatMessage> CONVERSATION = List.of(new ChatMessage("system", "Be brief."),
			new ChatMessage("user", "Hi"), new ChatMessage("assistant", "Hello!"), new ChatMessage("user", "Again"));

	private static final Map<String, Object> TOKENS = Map.of("bos_token", "<s>", "eos_token", "</s>");

	@Test
	void messagesWithToolCallsRenderAsHuggingFaceDoes() throws Exception {
		// Expected output rendered by Python's Jinja2 with Hugging Face's settings.
		Map<String, Object> tool = (Map<String, Object>) Json.parse("""
				{"type": "function", "function": {"name": "get_weather", "description": "Weather",
				 "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
				""", "tool");
		Map<String, Object> call = (Map<String, Object>) Json.parse("""
				{"type": "function", "function": {"name": "get_weather",
				 "arguments": {"city": "Zürich", "days": 2, "ratio": 0.5}}}
				""", "call");
		List<ChatMessage> messages = List.of(new ChatMessage("user", "Weather in Zürich?"),
				new ChatMessage("assistant", null, Map.of("tool_calls", List.of(call))),
				new ChatMessage("tool", "21 °C"));
		ChatTemplate qwen = SharedTemplates.load("Qwen-Qwen2.5-7B-Instruct.jinja");

		String rendered = qwen.render(messages, true, Map.of("tools", List.of(tool)));

		assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\n"
				+ "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
				+ "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n"
				+ "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather\", "
				+ "\"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, "
				+ "\"required\": [\"city\"]}}}\n</tools>\n\n"
				+ "For each function call, return a json object with function name and arguments within "
				+ "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": "
				+ "<args-json-object>}\n</tool_call><|im_end|>\n<|im_start|>user\nWeather in Zürich?<|im_end|>\n"
				+ "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\", "
				+ "\"days\": 2, \"ratio\": 0.5}}\n</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\n21 °C\n"
				+ "</tool_response><|im_end|>\n<|im_start|>assistant\n", rendered);
	}

	@Test
	void llama2FallbackPutsTheSystemPromptIntoTheFirstInstruction() throws TemplateException {
		assertEquals("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] Again [/INST]",
				ChatTemplate.defaultFor("llama2").render(CONVERSATION, true, TOKENS));
	}

	@Test
	void llama3FallbackUsesHeaderTokens() throws TemplateException {
		assertEquals(
				"<s><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
						+ "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
						+ "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
						+ "<|start_header_id|>user<|end_header_id|>\n\nAgain<|eot_id|>"
						+ "<|start_header_id|>assistant<|end_header_id|>\n\n",
				ChatTemplate.defaultFor("llama3").render(CONVERSATION, true, TOKENS));
	}

	@Test
	void chatmlFallbackUsesImStartTokens() throws TemplateException {
		assertEquals(
				"<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
						+ "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nAgain<|im_end|>\n",
				ChatTemplate.defaultFor(TemplateFamily.CHATML).render(CONVERSATION, false, TOKENS));
	}

	@Test
	void gemmaFallbackOpensTheFirstTurnWithTheSystemMessage() throws TemplateException {
		// The published google/gemma-3-1b-it template renders this conversation the same
		// way.
		assertEquals(
				"<s><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n"
						+ "<start_of_turn>user\nAgain<end_of_turn>\n<start_of_turn>model\n",
				ChatTemplate.defaultFor(TemplateFamily.GEMMA).render(CONVERSATION, true, TOKENS));
		assertEquals(familyCase("google-gemma-3-1b-it.jinja").render(CONVERSATION, true, TOKENS),
				ChatTemplate.defaultFor("gemma").render(CONVERSATION, true, TOKENS));
	}

	private static ChatTemplate familyCase(String template) {
		return FamilyTemplateCasesTests.load(template);
	}

	@Test
	void anUnknownFamilyNameIsRejected() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
				() -> ChatTemplate.defaultFor("vicuna"));
		assertEquals("unknown chat template family 'vicuna' (llama2, llama3, chatml or gemma)", e.getMessage());
	}

	@Test
	void familyIsDetectedFromGgufMetadata() {
		Set<String> llama3Tokens = Set.of("<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>");
		Set<String> chatmlTokens = Set.of("<|im_start|>", "<|im_end|>");
		assertEquals(TemplateFamily.LLAMA3, TemplateFamily.detect("llama", "llama-bpe", Set.<String>of()::contains));
		assertEquals(TemplateFamily.LLAMA3, TemplateFamily.detect("llama", null, llama3Tokens::contains));
		assertEquals(TemplateFamily.CHATML, TemplateFamily.detect("qwen2", "qwen2", chatmlTokens::contains));
		assertEquals(TemplateFamily.LLAMA2, TemplateFamily.detect("llama", "default", Set.of("<s>")::contains));
		assertEquals(TemplateFamily.CHATML, TemplateFamily.detect("gpt2", "gpt-2", Set.<String>of()::contains));
		assertEquals(TemplateFamily.GEMMA,
				TemplateFamily.detect("gemma3", "default", Set.of("<start_of_turn>", "<end_of_turn>")::contains));
		assertEquals(TemplateFamily.CHATML, TemplateFamily.detect("qwen3", "qwen2", chatmlTokens::contains));
	}

	@Test
	void strftimeNowFormatsTheClockLikePython() throws TemplateException {
		ChatTemplate template = ChatTemplate
			.compile("t", "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%-d %B %Y, %A %H:%M') }}")
			.withClock(() -> ZonedDateTime.of(2024, 7, 6, 9, 5, 0, 0, ZoneOffset.UTC));
		assertEquals("06 Jul 2024|6 July 2024, Saturday 09:05", template.render(Map.of()));
	}

	@Test
	void generationBlocksRenderTheirBody() throws TemplateException {
		ChatTemplate template = ChatTemplate.compile("t",
				"{% for m in messages %}{% generation %}{{ m.content }}{% endgeneration %};{% endfor %}");
		assertEquals("Be brief.;Hi;Hello!;Again;", template.render(CONVERSATION, false, Map.of()));
	}

}
