package dev.llcuda.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.retry.TransientAiException;

import dev.llcuda.embedding.LlcudaEmbeddingProvider;
import dev.llcuda.embedding.ServedEmbeddingModel;
import dev.llcuda.engine.EmbeddingEngine;
import dev.llcuda.runtime.EmbeddingRuntime;
import dev.llcuda.runtime.EmbeddingSlot;
import dev.llcuda.runtime.ModelSet;
import dev.llcuda.runtime.NoModelLoadedException;

/**
 * The embedding model's view of the {@link ModelSet}: the embedding model a request names
 * (none: the set's default), under the name requests use; none configured or loaded is
 * Spring AI's {@link TransientAiException}, the set's reason its cause. A name no
 * embedding model has stays the set's {@link dev.llcuda.runtime.UnknownModelException} or
 * {@link IllegalArgumentException}.
 */
public final class RuntimeEmbeddingProvider implements LlcudaEmbeddingProvider {

	private final ModelSet models;

	public RuntimeEmbeddingProvider(ModelSet models) {
		this.models = models;
	}

	@Override
	public EmbeddingEngine serving() {
		return serving(null).engine();
	}

	@Override
	public ServedEmbeddingModel serving(@Nullable String model) {
		EmbeddingRuntime runtime;
		EmbeddingSlot slot;
		try {
			slot = this.models.embedding(model);
			runtime = slot.requireServing();
		}
		catch (NoModelLoadedException e) {
			throw new TransientAiException(String.valueOf(e.getMessage()), e);
		}
		return new ServedEmbeddingModel(slot.name().orElse(runtime.modelName()), runtime.engine());
	}

}
