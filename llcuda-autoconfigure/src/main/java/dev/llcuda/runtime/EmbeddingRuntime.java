package dev.llcuda.runtime;

import dev.llcuda.engine.EmbeddingEngine;
import dev.llcuda.gpu.DeviceSelection;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.NativeLibrary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * An embedding model being served: an {@link EmbeddingEngine} on its own backend of the
 * selected device (the GPU the chat models run on, else the CPU), opened by its
 * {@link EmbeddingSlot} and closed when that slot unloads it or stops.
 */
public final class EmbeddingRuntime implements AutoCloseable {

	private final Backend backend;

	private final EmbeddingEngine engine;

	private EmbeddingRuntime(Backend backend, EmbeddingEngine engine) {
		this.backend = backend;
		this.engine = engine;
	}

	/**
	 * @param device where the model runs
	 * @param cpuThreads threads of the CPU backend when the device is the CPU; 0 uses
	 * every core
	 * @throws UncheckedIOException when the file cannot be read or is no model llcuda
	 * runs
	 * @throws IllegalArgumentException when the file is not an embedding model
	 */
	public static EmbeddingRuntime open(NativeLibrary library, DeviceSelection device, Path path, int cpuThreads,
			EmbeddingEngine.Options options) {
		Backend backend = DeviceBackends.open(library, device, cpuThreads);
		try {
			return new EmbeddingRuntime(backend, EmbeddingEngine.open(backend, path, options));
		}
		catch (IOException e) {
			backend.close();
			throw new UncheckedIOException("cannot open the embedding model " + path + ": " + e.getMessage(), e);
		}
		catch (RuntimeException e) {
			backend.close();
			throw e;
		}
	}

	public EmbeddingEngine engine() {
		return this.engine;
	}

	/** The name requests may give: {@code general.name} of the file. */
	public String modelName() {
		return this.engine.spec().name();
	}

	@Override
	public void close() {
		this.engine.close();
		this.backend.close();
	}

}
