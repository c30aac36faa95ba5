package dev.llcuda.chat;

import org.springframework.ai.retry.TransientAiException;

/**
 * Where {@link LlcudaChatModel} finds the model to run a request on (as Spring AI's provider
 * models reach their API): llcuda's runtime in a Spring Boot application, which loads, swaps and
 * recovers models, or a {@link dev.llcuda.engine.ModelEngine} the caller opened itself.
 */
@FunctionalInterface
public interface LlcudaChatProvider {

    /**
     * The model serving now.
     *
     * @throws TransientAiException when no model is serving yet (loading, recovering)
     */
    ServedChatModel serving();
}
