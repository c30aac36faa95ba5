package dev.llcuda.embedding;

import dev.llcuda.engine.EmbeddingEngine;

/**
 * The embedding model a request runs on.
 *
 * @param name the model's name in responses (the name requests pick it by)
 * @param engine the engine running the model
 */
public record ServedEmbeddingModel(String name, EmbeddingEngine engine) {
}
