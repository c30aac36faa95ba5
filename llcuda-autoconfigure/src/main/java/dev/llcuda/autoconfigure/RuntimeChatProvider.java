package dev.llcuda.autoconfigure;

import org.springframework.ai.retry.TransientAiException;

import dev.llcuda.chat.LlcudaChatProvider;
import dev.llcuda.chat.ServedChatModel;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.NoModelLoadedException;
import dev.llcuda.runtime.ServingModel;

/**
 * The chat models' view of {@link LlcudaRuntime}: the model it serves now; none yet (loading,
 * recovering) is Spring AI's {@link TransientAiException}, the runtime's reason its cause.
 */
public final class RuntimeChatProvider implements LlcudaChatProvider {

    private final LlcudaRuntime runtime;

    public RuntimeChatProvider(LlcudaRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public ServedChatModel serving() {
        ServingModel model;
        try {
            model = this.runtime.requireServing();
        } catch (NoModelLoadedException e) {
            throw new TransientAiException(String.valueOf(e.getMessage()), e);
        }
        return new ServedChatModel(model.spec().name(), model.tokenizer(), model.template(), model.engine());
    }
}
