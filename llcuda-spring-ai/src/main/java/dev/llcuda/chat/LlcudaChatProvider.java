package dev.llcuda.chat;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.retry.TransientAiException;

/**
 * Where {@link LlcudaChatModel} finds the model to run a request on (as Spring AI's
 * provider models reach their API): llcuda's runtime in a Spring Boot application, which
 * serves several models by name and loads, swaps and recovers them, or a
 * {@link dev.llcuda.engine.ModelEngine} the caller opened itself.
 */
@FunctionalInterface
public interface LlcudaChatProvider {

	/**
	 * The default model serving now (requests that name none).
	 * @throws TransientAiException when no model is serving yet (loading, recovering)
	 */
	ServedChatModel serving();

	/**
	 * The chat model a request's {@code model} option names; null or blank:
	 * {@link #serving()}. A provider of one model knows it by its
	 * {@link ServedChatModel#name() name} only.
	 * @throws TransientAiException when that model is not serving yet (loading,
	 * recovering)
	 * @throws IllegalArgumentException naming the model when no chat model has that name
	 * (an embedding model is not one)
	 */
	default ServedChatModel serving(@Nullable String model) {
		ServedChatModel served = serving();
		if (model == null || model.isBlank() || model.equals(served.name())) {
			return served;
		}
		throw new IllegalArgumentException(
				"the model '" + model + "' is not served; the chat model is '" + served.name() + "'");
	}

}
