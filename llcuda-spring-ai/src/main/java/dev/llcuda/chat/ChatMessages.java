package dev.llcuda.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.ToolResponseMessage;

import dev.llcuda.template.ChatMessage;
import dev.llcuda.template.Json;
import dev.llcuda.tools.GenericToolPrompt;
import dev.llcuda.tools.ToolCall;

/**
 * Spring AI messages as chat-template messages. Tool turns go through the template's own
 * fields ({@code tool_calls} of the assistant, whose content is then empty rather than
 * null as templates such as Qwen 3's need; {@code tool} messages with
 * {@code tool_call_id} and {@code name}) unless the request's tools use
 * {@link GenericToolPrompt}: then the tool instructions join the system message (or the
 * first user message), calls are written as the assistant's text and results come back as
 * a user message.
 */
final class ChatMessages {

	private ChatMessages() {
	}

	static List<ChatMessage> of(List<Message> messages, @Nullable ToolPrompt tools) {
		boolean asText = tools != null && !tools.format().rendersTools();
		List<ChatMessage> chat = new ArrayList<>();
		for (Message message : messages) {
			if (message instanceof AssistantMessage assistant && assistant.hasToolCalls()) {
				chat.add(asText ? new ChatMessage("assistant", callsAsText(assistant))
						: new ChatMessage("assistant", textOf(assistant), Map.of("tool_calls", toolCalls(assistant))));
			}
			else if (message instanceof ToolResponseMessage results) {
				if (asText) {
					chat.add(new ChatMessage("user",
							results.getResponses()
								.stream()
								.map(r -> GenericToolPrompt.result(r.name(), r.id(), r.responseData()))
								.collect(Collectors.joining("\n"))));
				}
				else {
					results.getResponses()
						.forEach(r -> chat.add(new ChatMessage("tool", r.responseData(),
								Map.of("tool_call_id", r.id(), "name", r.name()))));
				}
			}
			else {
				chat.add(new ChatMessage(message.getMessageType().getValue(), textOf(message)));
			}
		}
		return asText && tools != null && !tools.definitions().isEmpty()
				? withInstructions(chat, GenericToolPrompt.instructions(tools.definitions())) : chat;
	}

	/**
	 * The instructions first in the system message, else first in the first user message
	 * (some templates, Gemma's, refuse a system role), else in a new system message.
	 */
	private static List<ChatMessage> withInstructions(List<ChatMessage> chat, String instructions) {
		List<ChatMessage> result = new ArrayList<>(chat);
		for (String role : List.of(MessageType.SYSTEM.getValue(), MessageType.USER.getValue())) {
			for (int i = 0; i < result.size(); i++) {
				ChatMessage message = result.get(i);
				if (message.role().equals(role)) {
					result.set(i, new ChatMessage(role, instructions + "\n\n" + message.content(), message.extra()));
					return result;
				}
			}
		}
		result.add(0, new ChatMessage(MessageType.SYSTEM.getValue(), instructions));
		return result;
	}

	private static List<Map<String, Object>> toolCalls(AssistantMessage assistant) {
		return assistant.getToolCalls().stream().map(call -> {
			Map<String, Object> function = new LinkedHashMap<>();
			function.put("name", call.name());
			function.put("arguments", arguments(call));
			Map<String, Object> toolCall = new LinkedHashMap<>();
			toolCall.put("id", call.id());
			toolCall.put("type", "function");
			toolCall.put("function", function);
			return toolCall;
		}).toList();
	}

	private static String callsAsText(AssistantMessage assistant) {
		List<ToolCall> calls = assistant.getToolCalls()
			.stream()
			.map(call -> new ToolCall(call.name(), Json.write(arguments(call))))
			.toList();
		String text = textOf(assistant);
		return (text.isEmpty() ? "" : text + "\n") + GenericToolPrompt.calls(calls);
	}

	/** Templates read arguments as a mapping, so the JSON text is parsed. */
	private static Object arguments(AssistantMessage.ToolCall call) {
		Object arguments;
		try {
			arguments = Json.parse(call.arguments(), "arguments");
		}
		catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("the arguments of tool call " + call.id() + " (" + call.name()
					+ ") are not valid JSON: " + e.getMessage(), e);
		}
		if (!(arguments instanceof Map<?, ?>)) {
			throw new IllegalArgumentException(
					"the arguments of tool call " + call.id() + " (" + call.name() + ") must be a JSON object");
		}
		return arguments;
	}

	private static String textOf(Message message) {
		String text = message.getText();
		return text == null ? "" : text;
	}

}
