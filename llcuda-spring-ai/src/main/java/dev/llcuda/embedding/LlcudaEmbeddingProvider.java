package dev.llcuda.embedding;

import dev.llcuda.engine.EmbeddingEngine;

/**
 * Where {@link LlcudaEmbeddingModel} finds the embedding model to run a request on: llcuda's
 * runtime in a Spring Boot application, or an {@link EmbeddingEngine} the caller opened itself.
 */
@FunctionalInterface
public interface LlcudaEmbeddingProvider {

    /** The embedding model serving now. */
    EmbeddingEngine serving();
}
