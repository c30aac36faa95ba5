package dev.llcuda.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenizeCommandTests {

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	@ParameterizedTest
	@ValueSource(
			strings = { "llama-spm", "phi-3", "llama-bpe", "gpt-2", "deepseek-coder", "starcoder", "mpt", "bert-bge" })
	void printsTheOutFileOfEveryVocabulary(String name) throws IOException {
		Path vocab = vocabDir().resolve("ggml-vocab-" + name + ".gguf");

		int status = run("tokenize", "--vocab", vocab.toString(), "--inp", vocab + ".inp");

		assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
		assertEquals(Files.readString(Path.of(vocab + ".out")), out.toString(StandardCharsets.UTF_8));
	}

	@Test
	void namesTheMissingOption() {
		int status = run("tokenize", "--vocab", "x.gguf");

		assertEquals(2, status);
		assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing option --inp"), err.toString());
	}

	@Test
	void namesTheVocabularyFileItCannotRead(@TempDir Path dir) throws IOException {
		Path inp = Files.writeString(dir.resolve("t.inp"), "a\n__ggml_vocab_test__\n");

		int status = run("tokenize", "--vocab", dir.resolve("missing.gguf").toString(), "--inp", inp.toString());

		assertEquals(1, status);
		assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing.gguf"), err.toString());
	}

	private int run(String... args) {
		return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
	}

	private static Path vocabDir() {
		return Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata")).resolve("vocab");
	}

}
