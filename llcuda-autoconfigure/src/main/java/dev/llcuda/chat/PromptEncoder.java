package dev.llcuda.chat;

import java.util.List;
import java.util.Map;

import org.springframework.ai.chat.messages.Message;

import dev.llcuda.runtime.ServingModel;
import dev.llcuda.template.ChatMessage;
import dev.llcuda.template.TemplateException;
import dev.llcuda.tokenizer.Tokenizer;

/**
 * Renders a conversation with the model's chat template and tokenizes it as llama.cpp does: the
 * template gets the BOS and EOS texts, a BOS (or EOS) text the template wrote at the very start
 * (or end) is removed because tokenizing with special tokens adds it back, so it is never doubled.
 */
final class PromptEncoder {

    private PromptEncoder() {
    }

    static String render(ServingModel model, List<Message> messages) {
        Tokenizer tokenizer = model.tokenizer();
        String bos = tokenizer.bos().isPresent() ? tokenizer.tokenText(tokenizer.bos().getAsInt()) : "";
        String eos = tokenizer.eos().isPresent() ? tokenizer.tokenText(tokenizer.eos().getAsInt()) : "";
        List<ChatMessage> chat = messages.stream()
                .map(message -> new ChatMessage(message.getMessageType().getValue(), textOf(message)))
                .toList();
        String text;
        try {
            text = model.template().render(chat, true, Map.of("bos_token", bos, "eos_token", eos));
        } catch (TemplateException e) {
            throw new IllegalArgumentException("the chat template " + model.template().name()
                    + " refused the conversation: " + e.getMessage(), e);
        }
        if (!bos.isEmpty() && text.startsWith(bos)) {
            text = text.substring(bos.length());
        }
        if (!eos.isEmpty() && text.endsWith(eos)) {
            text = text.substring(0, text.length() - eos.length());
        }
        return text;
    }

    static int[] encode(ServingModel model, List<Message> messages) {
        return model.tokenizer().encode(render(model, messages), true, true);
    }

    /** Plain text: BOS where the vocabulary wants one, control-token texts kept as text. */
    static int[] encodeText(ServingModel model, String text) {
        return model.tokenizer().encode(text, true, false);
    }

    private static String textOf(Message message) {
        String text = message.getText();
        return text == null ? "" : text;
    }
}
