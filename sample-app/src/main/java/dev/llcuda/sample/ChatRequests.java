package dev.llcuda.sample;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

import dev.llcuda.chat.LlcudaChatOptions;
import dev.llcuda.chat.LlcudaResponseFormat;
import dev.llcuda.chat.LlcudaToolChoice;

/**
 * An OpenAI chat request read into Spring AI messages and options. What the service
 * cannot do is refused with the field's name rather than ignored: {@code logit_bias},
 * image or audio content parts, and any field the service does not know.
 */
final class ChatRequests {

	/** Most choices one request may ask for ({@code n}). */
	static final int MAX_CHOICES = 16;

	private static final String EMPTY_OBJECT_SCHEMA = "{\"type\":\"object\",\"properties\":{}}";

	private ChatRequests() {
	}

	/**
	 * One prompt per choice asked for ({@code n}): with a seed, choice i draws with seed
	 * + i, so choices differ and the same request gives the same choices again.
	 */
	static List<Prompt> prompts(OpenAiApi.ChatRequest request) {
		refuseUnsupported(request);
		List<Message> messages = messages(request.messages());
		List<ToolCallback> tools = tools(request);
		LlcudaToolChoice toolChoice = toolChoice(request);
		LlcudaResponseFormat format = responseFormat(request.responseFormat());
		List<Prompt> prompts = new ArrayList<>();
		for (int choice = 0; choice < choices(request); choice++) {
			LlcudaChatOptions.Builder options = OpenAiController.options(request)
				.mutate()
				.maxTokens(maxTokens(request))
				.responseFormat(format)
				.logprobs(request.logprobs())
				.topLogprobs(request.topLogprobs());
			if (request.seed() != null) {
				options.seed(request.seed() + choice);
			}
			if (!tools.isEmpty()) {
				options.toolCallbacks(tools).toolChoice(toolChoice).parallelToolCalls(request.parallelToolCalls());
			}
			prompts.add(new Prompt(messages, options.build()));
		}
		return prompts;
	}

	private static int choices(OpenAiApi.ChatRequest request) {
		int n = request.n() != null ? request.n() : 1;
		if (n < 1 || n > MAX_CHOICES) {
			throw new IllegalArgumentException("n must be between 1 and " + MAX_CHOICES + ", got " + n);
		}
		return n;
	}

	static boolean includeUsage(OpenAiApi.ChatRequest request) {
		if (request.streamOptions() != null && !request.streaming()) {
			throw new IllegalArgumentException("stream_options is only allowed with stream: true");
		}
		return request.streamOptions() != null && Boolean.TRUE.equals(request.streamOptions().includeUsage());
	}

	private static List<Message> messages(List<OpenAiApi.InputMessage> messages) {
		if (messages == null || messages.isEmpty()) {
			throw new IllegalArgumentException("messages must hold at least one message");
		}
		Map<String, String> toolNames = new LinkedHashMap<>();
		List<Message> result = new ArrayList<>();
		List<ToolResponseMessage.ToolResponse> toolResults = new ArrayList<>();
		for (int i = 0; i < messages.size(); i++) {
			OpenAiApi.InputMessage message = messages.get(i);
			String field = "messages[" + i + "]";
			if (message == null) {
				throw new IllegalArgumentException(field + " is null: every message is an object with a role");
			}
			if (!"tool".equals(message.role()) && !toolResults.isEmpty()) {
				result.add(ToolResponseMessage.builder().responses(List.copyOf(toolResults)).build());
				toolResults.clear();
			}
			switch (Objects.requireNonNullElse(message.role(), "")) {
				case "system", "developer" -> result.add(new SystemMessage(text(message.content(), field)));
				case "user" -> result.add(new UserMessage(text(message.content(), field)));
				case "assistant" -> result.add(assistant(message, field, toolNames));
				case "tool" -> toolResults.add(toolResult(message, field, toolNames));
				default -> throw new IllegalArgumentException(field + ".role '" + message.role()
						+ "' is not one of system, developer, user, assistant, tool");
			}
		}
		if (!toolResults.isEmpty()) {
			result.add(ToolResponseMessage.builder().responses(List.copyOf(toolResults)).build());
		}
		return result;
	}

	private static AssistantMessage assistant(OpenAiApi.InputMessage message, String field,
			Map<String, String> toolNames) {
		List<AssistantMessage.ToolCall> calls = new ArrayList<>();
		List<OpenAiApi.ToolCall> requested = message.toolCalls() != null ? message.toolCalls() : List.of();
		for (int i = 0; i < requested.size(); i++) {
			OpenAiApi.ToolCall call = requested.get(i);
			String callField = field + ".tool_calls[" + i + "]";
			if (call.id() == null || call.function() == null || call.function().name() == null) {
				throw new IllegalArgumentException(callField + " needs an id and a function with a name");
			}
			toolNames.put(call.id(), call.function().name());
			calls.add(new AssistantMessage.ToolCall(call.id(), "function", call.function().name(),
					Objects.requireNonNullElse(call.function().arguments(), "{}")));
		}
		String text = message.content() == null || message.content().isNull() ? "" : text(message.content(), field);
		return AssistantMessage.builder().content(text).toolCalls(calls).build();
	}

	private static ToolResponseMessage.ToolResponse toolResult(OpenAiApi.InputMessage message, String field,
			Map<String, String> toolNames) {
		String id = message.toolCallId();
		if (id == null || !toolNames.containsKey(id)) {
			throw new IllegalArgumentException(field + ".tool_call_id must name a tool call of an earlier assistant "
					+ "message, got " + (id == null ? "none" : "'" + id + "'"));
		}
		return new ToolResponseMessage.ToolResponse(id, toolNames.get(id), text(message.content(), field));
	}

	/**
	 * A string, or the text of an array of text parts joined by newlines; other part
	 * types are refused.
	 */
	private static String text(@Nullable JsonNode content, String field) {
		if (content == null || content.isNull()) {
			throw new IllegalArgumentException(field + ".content is missing");
		}
		if (content.isString()) {
			return content.asString();
		}
		if (!content.isArray()) {
			throw new IllegalArgumentException(field + ".content must be a string or an array of content parts");
		}
		List<String> texts = new ArrayList<>();
		for (int i = 0; i < content.size(); i++) {
			JsonNode part = content.get(i);
			String type = part.path("type").asString("");
			if (!type.equals("text")) {
				throw new IllegalArgumentException(field + ".content[" + i + "] is of type '" + type
						+ "': only text parts are supported (the service has no vision or audio model)");
			}
			if (!part.path("text").isString()) {
				throw new IllegalArgumentException(field + ".content[" + i + "].text must be a string");
			}
			texts.add(part.path("text").asString());
		}
		return String.join("\n", texts);
	}

	private static List<ToolCallback> tools(OpenAiApi.ChatRequest request) {
		List<OpenAiApi.Tool> tools = request.tools() != null ? request.tools() : List.of();
		if (tools.isEmpty() || toolChoice(request).mode() == LlcudaToolChoice.Mode.NONE) {
			return List.of();
		}
		List<ToolCallback> callbacks = new ArrayList<>();
		for (int i = 0; i < tools.size(); i++) {
			OpenAiApi.Tool tool = tools.get(i);
			if (!"function".equals(tool.type()) || tool.function() == null || tool.function().name() == null) {
				throw new IllegalArgumentException("tools[" + i + "] must be {\"type\": \"function\", \"function\": "
						+ "{\"name\": ..., \"parameters\": ...}}");
			}
			OpenAiApi.Function function = tool.function();
			if (function.parameters() != null && !function.parameters().isObject()) {
				throw new IllegalArgumentException("tools[" + i + "].function.parameters must be a JSON Schema object");
			}
			ToolDefinition definition = ToolDefinition.builder()
				.name(function.name())
				.description(Objects.requireNonNullElse(function.description(), ""))
				.inputSchema(function.parameters() != null ? function.parameters().toString() : EMPTY_OBJECT_SCHEMA)
				.build();
			callbacks.add(new ClientTool(definition));
		}
		return callbacks;
	}

	/**
	 * {@code auto} (also when absent), {@code none}, {@code required}, or a named
	 * function, which must be one of the request's tools; forcing needs tools.
	 */
	private static LlcudaToolChoice toolChoice(OpenAiApi.ChatRequest request) {
		JsonNode choice = request.toolChoice();
		LlcudaToolChoice parsed = parseToolChoice(choice);
		List<OpenAiApi.Tool> tools = request.tools() != null ? request.tools() : List.of();
		if (parsed.forcesCalls() && tools.isEmpty()) {
			throw new IllegalArgumentException("tool_choice " + choice + " needs tools to call");
		}
		String function = parsed.function(); // set exactly when the mode is FUNCTION
		if (function != null && tools.stream()
			.noneMatch(tool -> tool.function() != null && function.equals(tool.function().name()))) {
			throw new IllegalArgumentException(
					"tool_choice names the function '" + function + "', which is not among the tools");
		}
		return parsed;
	}

	private static LlcudaToolChoice parseToolChoice(@Nullable JsonNode choice) {
		if (choice == null || choice.isNull()) {
			return LlcudaToolChoice.auto();
		}
		if (choice.isString()) {
			switch (choice.asString()) {
				case "auto" -> {
					return LlcudaToolChoice.auto();
				}
				case "none" -> {
					return LlcudaToolChoice.none();
				}
				case "required" -> {
					return LlcudaToolChoice.required();
				}
				default -> {
				}
			}
		}
		JsonNode name = choice.path("function").path("name");
		if (choice.isObject() && "function".equals(choice.path("type").asString("")) && name.isString()
				&& !name.asString().isBlank()) {
			return LlcudaToolChoice.function(name.asString());
		}
		throw new IllegalArgumentException("tool_choice must be \"auto\", \"none\", \"required\" or "
				+ "{\"type\": \"function\", \"function\": {\"name\": ...}}, got " + choice);
	}

	/**
	 * {@code text} (or none): free text; {@code json_object}: any JSON object;
	 * {@code json_schema}: decoded under {@code json_schema.schema}, whether
	 * {@code strict} is true or false (the grammar always holds the answer to the schema;
	 * unsupported keywords are refused by the grammar).
	 */
	private static @Nullable LlcudaResponseFormat responseFormat(@Nullable JsonNode format) {
		if (format == null || format.isNull()) {
			return null;
		}
		String type = format.path("type").asString("");
		return switch (type) {
			case "text" -> null;
			case "json_object" -> LlcudaResponseFormat.jsonObject();
			case "json_schema" -> LlcudaResponseFormat.jsonSchema(schema(format));
			default -> throw new IllegalArgumentException(
					"response_format type '" + type + "' is not one of text, " + "json_object, json_schema");
		};
	}

	private static String schema(JsonNode format) {
		JsonNode schema = format.path("json_schema").path("schema");
		if (!schema.isObject()) {
			throw new IllegalArgumentException(
					"response_format json_schema needs json_schema.schema, " + "a JSON Schema object");
		}
		return schema.toString();
	}

	private static @Nullable Integer maxTokens(OpenAiApi.ChatRequest request) {
		Integer legacy = request.maxTokens();
		Integer current = request.maxCompletionTokens();
		if (legacy != null && current != null && !legacy.equals(current)) {
			throw new IllegalArgumentException("max_tokens (" + legacy + ") and max_completion_tokens (" + current
					+ ") disagree; send one of them");
		}
		return current != null ? current : legacy;
	}

	private static void refuseUnsupported(OpenAiApi.ChatRequest request) {
		if (request.unknown() != null && !request.unknown().isEmpty()) {
			throw new IllegalArgumentException(
					"unsupported field(s): " + String.join(", ", request.unknown().keySet()));
		}
		if (request.logitBias() != null && !request.logitBias().isNull() && !request.logitBias().isEmpty()) {
			throw new IllegalArgumentException("logit_bias is not supported");
		}
		toolChoice(request);
	}

}
