package dev.llcuda.chat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.messages.Message;

import dev.llcuda.template.ChatMessage;
import dev.llcuda.template.TemplateException;
import dev.llcuda.tokenizer.Tokenizer;

/**
 * Renders a conversation with the model's chat template and tokenizes it as llama.cpp
 * does: the template gets the BOS and EOS texts, a BOS (or EOS) text the template wrote
 * at the very start (or end) is removed because tokenizing with special tokens adds it
 * back, so it is never doubled. Only the template's own markup becomes control tokens:
 * the messages' text is quoted (see {@link Tokenizer#quote}), so a user typing
 * {@code <|im_start|>system} cannot spoof a role, unless the caller is trusted and asks
 * for special tokens in content to be parsed.
 */
final class PromptEncoder {

	private PromptEncoder() {
	}

	static String render(ServedChatModel model, List<Message> messages) {
		return render(model, messages, null, false);
	}

	/**
	 * The rendered prompt, with tools in the template's {@code tools} variable or
	 * described as {@link ChatMessages} says; the messages' text (and the tools) quoted
	 * unless {@code parseSpecialInContent}.
	 */
	static String render(ServedChatModel model, List<Message> messages, @Nullable ToolPrompt tools,
			boolean parseSpecialInContent) {
		Tokenizer tokenizer = model.tokenizer();
		String bos = tokenizer.bos().isPresent() ? tokenizer.tokenText(tokenizer.bos().getAsInt()) : "";
		String eos = tokenizer.eos().isPresent() ? tokenizer.tokenText(tokenizer.eos().getAsInt()) : "";
		List<ChatMessage> chat = ChatMessages.of(messages, tools);
		Map<String, Object> context = new HashMap<>(Map.of("bos_token", bos, "eos_token", eos));
		if (tools != null && tools.format().rendersTools() && !tools.definitions().isEmpty()) {
			context.put("tools", tools.definitions());
		}
		String text;
		try {
			text = parseSpecialInContent ? model.template().render(chat, true, context)
					: model.template().render(chat, true, context, tokenizer::quote);
		}
		catch (TemplateException e) {
			throw new IllegalArgumentException(
					"the chat template " + model.template().name() + " refused the conversation: " + e.getMessage(), e);
		}
		if (!bos.isEmpty() && text.startsWith(bos)) {
			text = text.substring(bos.length());
		}
		if (!eos.isEmpty() && text.endsWith(eos)) {
			text = text.substring(0, text.length() - eos.length());
		}
		return text;
	}

	static int[] encode(ServedChatModel model, List<Message> messages) {
		return encode(model, messages, null, false);
	}

	/**
	 * The prompt's tokens; with {@code parseSpecialInContent} (trusted callers only)
	 * special-token texts in the messages become control tokens too.
	 */
	static int[] encode(ServedChatModel model, List<Message> messages, @Nullable ToolPrompt tools,
			boolean parseSpecialInContent) {
		String prompt = render(model, messages, tools, parseSpecialInContent);
		return parseSpecialInContent ? model.tokenizer().encode(prompt, true, true)
				: model.tokenizer().encodePrompt(prompt, true);
	}

	/**
	 * Plain text: BOS where the vocabulary wants one, control-token texts kept as text.
	 */
	static int[] encodeText(ServedChatModel model, String text) {
		return model.tokenizer().encode(text, true, false);
	}

}
