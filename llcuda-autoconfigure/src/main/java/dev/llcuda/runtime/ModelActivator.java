package dev.llcuda.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import dev.llcuda.nativelib.Sha256;

/**
 * Loads a model into the engine (replacing the one serving) and unloads it; the engine
 * lifecycle.
 */
public interface ModelActivator {

	/**
	 * Loads {@code file} and switches serving to it; throws with the reason when loading
	 * fails, and then the model serving before still serves.
	 */
	void activate(Path file);

	/**
	 * Loads {@code file} with {@code adapters} beyond the configured ones and switches
	 * serving to it; an activator whose models take no adapters refuses them.
	 * @throws AdapterMismatchException naming both when an adapter does not fit the
	 * model; then nothing changed
	 */
	default void activate(Path file, ModelAdapters adapters) {
		if (!adapters.isEmpty()) {
			throw new AdapterMismatchException(file + " is served by a model that takes no LoRA adapters");
		}
		activate(file);
	}

	/** Stops serving and frees the model and its device memory. */
	void unload();

	/**
	 * The SHA-256 of {@code file}, checked before it is activated; an activator that
	 * reports load progress reports the hashing too.
	 */
	default String sha256(Path file) throws IOException {
		return Sha256.of(file);
	}

	/** The file of the model serving now. */
	Optional<Path> servedFile();

	/**
	 * How the served file changed since it was loaded (serving continues from the loaded
	 * copy), or empty.
	 */
	Optional<String> servedFileChange();

}
