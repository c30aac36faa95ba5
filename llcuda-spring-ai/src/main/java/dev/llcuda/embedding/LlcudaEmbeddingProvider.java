package dev.llcuda.embedding;

import org.jspecify.annotations.Nullable;

import dev.llcuda.engine.EmbeddingEngine;

/**
 * Where {@link LlcudaEmbeddingModel} finds the embedding model to run a request on:
 * llcuda's runtime in a Spring Boot application, which serves several models by name, or
 * an {@link EmbeddingEngine} the caller opened itself.
 */
@FunctionalInterface
public interface LlcudaEmbeddingProvider {

	/** The default embedding model serving now (requests that name none). */
	EmbeddingEngine serving();

	/**
	 * The embedding model a request's {@code model} option names; null or blank:
	 * {@link #serving()} under its file's {@code general.name}. A provider of one model
	 * knows it by that name only.
	 * @throws IllegalArgumentException naming the model when no embedding model has that
	 * name (a chat model is not one)
	 */
	default ServedEmbeddingModel serving(@Nullable String model) {
		EmbeddingEngine engine = serving();
		String name = engine.spec().name();
		if (model == null || model.isBlank() || model.equals(name)) {
			return new ServedEmbeddingModel(name, engine);
		}
		throw new IllegalArgumentException(
				"model '" + model + "' is not served; the embedding model is '" + name + "'");
	}

}
