package dev.llcuda.runtime;

import java.nio.file.Path;

import dev.llcuda.engine.LoadListener;

/** Loads a GGUF file onto the selected device and starts an engine over it. */
@FunctionalInterface
public interface ModelLoader {

	/**
	 * @param progress told how far the load is, on the loading thread
	 * @throws RuntimeException with the reason (file, field, memory) when the model
	 * cannot be served
	 */
	ServingModel load(Path gguf, LoadListener progress);

	/**
	 * Loads {@code gguf} with {@code adapters} beyond the configured ones; a loader that
	 * takes none refuses them.
	 */
	default ServingModel load(Path gguf, ModelAdapters adapters, LoadListener progress) {
		if (!adapters.isEmpty()) {
			throw new IllegalArgumentException(
					"this model loader loads no LoRA adapters; cannot load " + adapters + " with " + gguf);
		}
		return load(gguf, progress);
	}

	/**
	 * Checks, before anything loads, that {@code adapters} fit {@code gguf}.
	 * @throws AdapterMismatchException naming the adapter and the model when one does not
	 */
	default void checkAdapters(Path gguf, ModelAdapters adapters) {
	}

	/**
	 * Whether {@code gguf} can be loaded while the current model still holds its memory,
	 * so an activation can load and check the new model before releasing the old one.
	 */
	default boolean fitsBesideCurrent(Path gguf) {
		return true;
	}

	/**
	 * Device memory {@code gguf} takes when this loader loads it: weights, adapters and
	 * the whole KV budget; for checking a set of models against the device before any
	 * loads.
	 */
	default long memoryNeeded(Path gguf) {
		throw new UnsupportedOperationException("this model loader cannot tell how much memory " + gguf
				+ " needs, so the model set cannot be checked against llcuda.memory-budget");
	}

}
