package dev.llcuda.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The GGUF files of the shared test data (../shared/testdata, passed as
 * {@code llcuda.testdata}).
 */
public final class SharedGgufFiles {

	private SharedGgufFiles() {
	}

	public static Path testdata() {
		return Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"));
	}

	public static Path model(String fileName) {
		return testdata().resolve("models").resolve(fileName);
	}

	public static Path vocab(String name) {
		return testdata().resolve("vocab").resolve("ggml-vocab-" + name + ".gguf");
	}

	/** The micro and tiny models, sorted by name. */
	public static List<Path> models() {
		return list("models");
	}

	/** The vocabulary-only files, sorted by name. */
	public static List<Path> vocabularies() {
		return list("vocab");
	}

	private static List<Path> list(String folder) {
		try (Stream<Path> files = Files.list(testdata().resolve(folder))) {
			List<Path> ggufs = files.filter(p -> p.getFileName().toString().endsWith(".gguf")).sorted().toList();
			if (ggufs.isEmpty()) {
				throw new IllegalStateException("no GGUF files in " + testdata().resolve(folder));
			}
			return ggufs;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

}
