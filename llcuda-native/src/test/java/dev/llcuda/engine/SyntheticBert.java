package dev.llcuda.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The encoder models of the native generator
 * ({@code llcuda-synth --shape bert-micro|nomic-micro}, built next to the library):
 * random weights laid out as llama.cpp's converter writes BGE (bert) and nomic-embed-text
 * (nomic-bert) models, the shared bert-bge vocabulary, mean pooling, 128 positions, 256
 * dimensions.
 */
final class SyntheticBert {

	static final Path TESTDATA = Path.of(System.getProperty("llcuda.testdata", "../shared/testdata"));
	static final Path GENERATOR = Path.of("target", "native-build", "llcuda-synth");

	private SyntheticBert() {
	}

	/**
	 * Writes the bert-micro model with weights of {@code type} (F16, Q8_0, Q4_K_M) into
	 * {@code dir}.
	 */
	static Path write(Path dir, String type) throws IOException, InterruptedException {
		return write(dir, "bert-micro", type);
	}

	/** Writes the model of {@code shape} ({@code bert-micro} or {@code nomic-micro}). */
	static Path write(Path dir, String shape, String type) throws IOException, InterruptedException {
		return write(dir, shape, type, "ggml-vocab-bert-bge.gguf");
	}

	/**
	 * Writes any shape of the generator (a decoder family too) with the shared vocabulary
	 * {@code vocab}.
	 */
	static Path write(Path dir, String shape, String type, String vocab) throws IOException, InterruptedException {
		Path out = dir.resolve(shape + "-" + type + ".gguf");
		Process process = new ProcessBuilder(GENERATOR.toString(), "--shape", shape, "--type", type, "--vocab",
				TESTDATA.resolve("vocab").resolve(vocab).toString(), "--out", out.toString(), "--seed", "7")
			.redirectErrorStream(true)
			.start();
		String log = new String(process.getInputStream().readAllBytes());
		if (process.waitFor() != 0 || !Files.exists(out)) {
			throw new IOException(GENERATOR + " failed: " + log);
		}
		return out;
	}

}
