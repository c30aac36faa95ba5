package dev.llcuda.tokenizer;

import dev.llcuda.gguf.GgufFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The shared test data's vocabularies, each loaded once per test run. */
final class Vocabularies {

	static final String[] NAMES = { "llama-spm", "phi-3", "llama-bpe", "gpt-2", "deepseek-coder", "starcoder", "mpt",
			"bert-bge" };

	private static final Map<Path, Tokenizer> LOADED = new ConcurrentHashMap<>();

	private Vocabularies() {
	}

	static Path testData() {
		String dir = System.getProperty("llcuda.testdata", "../../shared/testdata");
		return Path.of(dir).toAbsolutePath().normalize();
	}

	static Path vocabFile(String name) {
		return testData().resolve("vocab").resolve("ggml-vocab-" + name + ".gguf");
	}

	static Tokenizer tokenizer(String name) {
		return load(vocabFile(name));
	}

	/** The tokenizer of a GGUF file, read once per test run. */
	static Tokenizer load(Path file) {
		return LOADED.computeIfAbsent(file, Vocabularies::readTokenizer);
	}

	/** The tokenizer of a GGUF file, read anew. */
	static Tokenizer readTokenizer(Path file) {
		try (GgufFile gguf = GgufFile.open(file)) {
			return Tokenizer.fromGguf(gguf.metadata());
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

}
