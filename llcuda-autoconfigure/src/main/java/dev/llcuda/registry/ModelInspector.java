package dev.llcuda.registry;

import java.io.IOException;
import java.nio.file.Path;

/** Reads a model file's facts (the GGUF header) without loading its weights. */
@FunctionalInterface
public interface ModelInspector {

	/**
	 * @throws IOException when the file cannot be read or is not a valid model
	 */
	ModelFacts inspect(Path file) throws IOException;

}
