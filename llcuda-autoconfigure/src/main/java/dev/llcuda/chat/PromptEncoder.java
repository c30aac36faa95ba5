package dev.llcuda.chat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

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
        return render(model, messages, null);
    }

    /** With tools: in the template's {@code tools} variable, or described as {@link ChatMessages} says. */
    static String render(ServingModel model, List<Message> messages, @Nullable ToolPrompt tools) {
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
            text = model.template().render(chat, true, context);
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
        return encode(model, messages, null);
    }

    static int[] encode(ServingModel model, List<Message> messages, @Nullable ToolPrompt tools) {
        return model.tokenizer().encode(render(model, messages, tools), true, true);
    }

    /** Plain text: BOS where the vocabulary wants one, control-token texts kept as text. */
    static int[] encodeText(ServingModel model, String text) {
        return model.tokenizer().encode(text, true, false);
    }

}
