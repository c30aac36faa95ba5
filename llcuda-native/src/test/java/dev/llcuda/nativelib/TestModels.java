package dev.llcuda.nativelib;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.model.ModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The shared micro models, one loaded native library and one CPU backend for the tests of
 * a JVM.
 */
final class TestModels {

	private static NativeLibrary library;

	private static Backend backend;

	private TestModels() {
	}

	static Path testdata() {
		return Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"));
	}

	static Path model(String file) {
		return testdata().resolve("models").resolve(file);
	}

	static Path reference(String model, String prompt, String kind) {
		return testdata().resolve("models").resolve("reference").resolve(model + "." + prompt + "." + kind + ".txt.gz");
	}

	static synchronized NativeLibrary library() {
		if (library == null) {
			library = NativeLibrary
				.load(NativeLibraryOptions.defaults().withCacheDirectory(Path.of("target", "llcuda-cache")));
		}
		return library;
	}

	/** One CPU backend on all cores, shared by the tests (they run one at a time). */
	static synchronized Backend cpu() {
		if (backend == null) {
			backend = library().cpuBackend(0);
		}
		return backend;
	}

	static ModelSpec spec(String file) {
		try (GgufFile gguf = GgufFile.open(model(file))) {
			return ModelSpec.from(gguf);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	static Model load(String file) {
		return cpu().loadModel(model(file), spec(file));
	}

}
