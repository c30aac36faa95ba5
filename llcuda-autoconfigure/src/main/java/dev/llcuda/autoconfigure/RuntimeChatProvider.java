package dev.llcuda.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.retry.TransientAiException;

import dev.llcuda.chat.LlcudaChatProvider;
import dev.llcuda.chat.ServedChatModel;
import dev.llcuda.runtime.ChatSlot;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.ModelSet;
import dev.llcuda.runtime.NoModelLoadedException;
import dev.llcuda.runtime.ServingModel;

/**
 * The chat models' view of the {@link ModelSet}: the chat model a request names (none:
 * the set's default), under the name requests use; none serving yet (loading, recovering)
 * is Spring AI's {@link TransientAiException}, the runtime's reason its cause. A name no
 * chat model has stays the set's {@link dev.llcuda.runtime.UnknownModelException} or
 * {@link IllegalArgumentException}.
 */
public final class RuntimeChatProvider implements LlcudaChatProvider {

	private final ModelSet models;

	public RuntimeChatProvider(ModelSet models) {
		this.models = models;
	}

	/** The provider of one runtime's model. */
	public RuntimeChatProvider(LlcudaRuntime runtime) {
		this(ModelSet.of(runtime));
	}

	@Override
	public ServedChatModel serving() {
		return serving(null);
	}

	@Override
	public ServedChatModel serving(@Nullable String model) {
		ChatSlot slot = this.models.chat(model);
		ServingModel serving;
		try {
			serving = slot.runtime().requireServing();
		}
		catch (NoModelLoadedException e) {
			throw new TransientAiException(String.valueOf(e.getMessage()), e);
		}
		return new ServedChatModel(slot.name().orElse(serving.spec().name()), serving.tokenizer(), serving.template(),
				serving.engine());
	}

}
