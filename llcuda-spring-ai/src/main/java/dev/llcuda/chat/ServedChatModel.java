package dev.llcuda.chat;

import dev.llcuda.engine.Engine;
import dev.llcuda.engine.ModelEngine;
import dev.llcuda.template.ChatTemplate;
import dev.llcuda.tokenizer.Tokenizer;

/**
 * What {@link LlcudaChatModel} needs of the model a request runs on.
 *
 * @param name the model's name in responses ({@code general.name} of the file)
 * @param tokenizer the model's vocabulary
 * @param template the chat template prompts are rendered with
 * @param engine the engine running the model
 */
public record ServedChatModel(String name, Tokenizer tokenizer, ChatTemplate template, Engine engine) {

	/** The model {@link ModelEngine#open} assembled. */
	public static ServedChatModel of(ModelEngine model) {
		return new ServedChatModel(model.spec().name(), model.tokenizer(), model.template(), model.engine());
	}
}
