package dev.llcuda.hf;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufWriter;
import dev.llcuda.tokenizer.Tokenizer;
import dev.llcuda.tokenizer.VocabTestFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Vocabularies written as Hugging Face {@code tokenizer.json} and converted back tokenize
 * llama.cpp's test strings to exactly llama.cpp's ids: SentencePiece ones through BPE
 * with byte fallback (scores rebuilt from the merge order), byte-level ones with their
 * merges and split pattern.
 */
class HfTokenizerTests {

	@TempDir
	Path dir;

	static Path vocab(String name) {
		return Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"))
			.resolve("vocab")
			.resolve("ggml-vocab-" + name + ".gguf");
	}

	@ParameterizedTest
	@ValueSource(strings = { "llama-spm", "phi-3", "llama-bpe", "gpt-2" })
	void aConvertedTokenizerJsonEncodesEveryTestStringToLlamaCppsIds(String name) throws IOException {
		Path vocab = vocab(name);
		int size;
		try (GgufFile file = GgufFile.open(vocab)) {
			HfFixtures.writeTokenizer(file.metadata(), dir);
			size = file.metadata().stringArray("tokenizer.ggml.tokens").length;
		}
		Tokenizer tokenizer = convert(size);
		List<String> inputs = VocabTestFile.parseInputs(Files.readString(Path.of(vocab + ".inp")));
		List<String> expected = Files.readAllLines(Path.of(vocab + ".out"));
		List<Executable> checks = new ArrayList<>();
		for (int i = 0; i < inputs.size(); i++) {
			String input = inputs.get(i);
			String want = expected.get(i);
			checks.add(() -> assertEquals(want, VocabTestFile.formatIds(tokenizer.encode(input, false, false)),
					name + ": " + input.replace("\n", "\\n")));
		}
		assertAll(checks);
	}

	@Test
	void theTokenListIsPaddedToTheEmbeddingRowsAndMoreTokensThanRowsAreRefused() throws IOException {
		try (GgufFile file = GgufFile.open(vocab("gpt-2"))) {
			HfFixtures.writeTokenizer(file.metadata(), dir);
		}
		GgufWriter writer = new GgufWriter();
		HfTokenizer.write(writer, JsonObject.read(dir.resolve("tokenizer.json")),
				JsonObject.read(dir.resolve("tokenizer_config.json")), Optional.empty(), Optional.empty(), 50260);
		writer.write(dir.resolve("t.gguf"));
		try (GgufFile file = GgufFile.open(dir.resolve("t.gguf"))) {
			String[] tokens = file.metadata().stringArray("tokenizer.ggml.tokens");
			assertEquals(50260, tokens.length);
			assertEquals("[PAD50259]", tokens[50259]);
			assertEquals(5, file.metadata().intArray("tokenizer.ggml.token_type")[50259]);
		}
		IOException e = assertThrows(IOException.class,
				() -> HfTokenizer.write(new GgufWriter(), JsonObject.read(dir.resolve("tokenizer.json")),
						JsonObject.read(dir.resolve("tokenizer_config.json")), Optional.empty(), Optional.empty(),
						100));
		assertTrue(e.getMessage().contains("has 50257 tokens, more than the 100 rows of the token embedding"),
				e.getMessage());
	}

	@Test
	void anUnknownSplitPatternOrModelTypeIsRefusedNamingIt() throws IOException {
		try (GgufFile file = GgufFile.open(vocab("llama-bpe"))) {
			HfFixtures.writeTokenizer(file.metadata(), dir);
		}
		Path json = dir.resolve("tokenizer.json");
		String original = Files.readString(json);
		Files.writeString(json, original.replace("\\\\p{N}{1,3}", "\\\\p{N}{1,2}"));
		IOException split = assertThrows(IOException.class, () -> convert(128256));
		assertTrue(split.getMessage().contains("is not a split pattern llcuda knows"), split.getMessage());
		Files.writeString(json, original.replace("\"type\":\"BPE\"", "\"type\":\"Unigram\""));
		IOException unigram = assertThrows(IOException.class, () -> convert(128256));
		assertTrue(unigram.getMessage().contains("'type' is 'Unigram'; only BPE tokenizers"), unigram.getMessage());
	}

	private Tokenizer convert(int rows) throws IOException {
		GgufWriter writer = new GgufWriter();
		HfTokenizer.write(writer, JsonObject.read(dir.resolve("tokenizer.json")),
				JsonObject.read(dir.resolve("tokenizer_config.json")), Optional.empty(), Optional.empty(), rows);
		Path gguf = dir.resolve("tokenizer.gguf");
		writer.write(gguf);
		try (GgufFile file = GgufFile.open(gguf)) {
			return Tokenizer.fromGguf(file.metadata());
		}
	}

}
