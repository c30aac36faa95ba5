package dev.llcuda.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufFormatException;
import dev.llcuda.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTests {

	@TempDir
	Path dir;

	@Test
	void readsTheTokenizerKeysOfAGgufFile() throws IOException {
		Vocabulary vocabulary;
		try (GgufFile gguf = GgufFile.open(Vocabularies.vocabFile("llama-spm"))) {
			vocabulary = Vocabulary.fromGguf(gguf.metadata());
		}

		assertEquals("llama", vocabulary.model());
		assertEquals(32000, vocabulary.size());
		assertEquals("<0x0A>", vocabulary.tokens().get(13));
		assertEquals(TokenType.BYTE, vocabulary.type(13));
		assertEquals(TokenType.CONTROL, vocabulary.type(1));
		assertEquals(OptionalInt.of(1), vocabulary.specialIds().bos());
		assertEquals(java.util.Optional.of(true), vocabulary.addBos());
	}

	@Test
	void rejectsAFileWithoutTokens() throws IOException {
		Path file = write(new GgufWriter().putString("tokenizer.ggml.model", "llama"));

		GgufFormatException e = assertThrows(GgufFormatException.class, () -> load(file));
		assertTrue(e.getMessage().contains("tokenizer.ggml.tokens"), e.getMessage());
	}

	@Test
	void rejectsTokensOfTheWrongType() throws IOException {
		Path file = write(
				new GgufWriter().putString("tokenizer.ggml.model", "llama").putString("tokenizer.ggml.tokens", "a"));

		GgufFormatException e = assertThrows(GgufFormatException.class, () -> load(file));
		assertTrue(e.getMessage().contains("tokenizer.ggml.tokens"), e.getMessage());
	}

	@Test
	void rejectsFewerScoresThanTokensNamingTheFileAndTheTokensOffset() throws IOException {
		Path file = write(new GgufWriter().putString("tokenizer.ggml.model", "llama")
			.putStrings("tokenizer.ggml.tokens", "<unk>", "<s>", "</s>")
			.putFloat32s("tokenizer.ggml.scores", 0f));

		GgufFormatException e = assertThrows(GgufFormatException.class, () -> load(file));
		assertEquals(file, e.path());
		assertEquals(offsetOf(file, "tokenizer.ggml.tokens"), e.offset());
		assertEquals(file + " at byte offset " + e.offset() + ": tokenizer.ggml.scores has 1 entries for 3 tokens",
				e.getMessage());
	}

	@Test
	void rejectsAnUnsupportedModelByNameNamingTheFileAndTheModelsOffset() throws IOException {
		Path file = write(
				new GgufWriter().putString("tokenizer.ggml.model", "t5").putStrings("tokenizer.ggml.tokens", "a"));

		GgufFormatException e = assertThrows(GgufFormatException.class, () -> load(file));
		assertEquals(file, e.path());
		assertEquals(offsetOf(file, "tokenizer.ggml.model"), e.offset());
		assertTrue(e.getMessage().startsWith(file + " at byte offset " + e.offset() + ": "), e.getMessage());
		assertTrue(e.getMessage().contains("unsupported tokenizer model 't5'"), e.getMessage());
	}

	@Test
	void rejectsAnUnsupportedPreTokenizerByName() throws IOException {
		Path file = write(new GgufWriter().putString("tokenizer.ggml.model", "gpt2")
			.putString("tokenizer.ggml.pre", "martian")
			.putStrings("tokenizer.ggml.tokens", "a")
			.putStrings("tokenizer.ggml.merges"));

		GgufFormatException e = assertThrows(GgufFormatException.class, () -> load(file));
		assertTrue(e.getMessage().contains("unsupported pre-tokenizer 'martian'"), e.getMessage());
	}

	@Test
	void ignoresSpecialIdsOutsideTheVocabularyAsLlamaCppDoes() throws IOException {
		Path file = write(new GgufWriter().putString("tokenizer.ggml.model", "llama")
			.putStrings("tokenizer.ggml.tokens", "<unk>", "<s>", "</s>", "\u2581a")
			.putUint32("tokenizer.ggml.bos_token_id", 70000));

		Tokenizer tokenizer = load(file);

		assertEquals(OptionalInt.of(1), tokenizer.bos());
		assertEquals(3, tokenizer.encode("a", false, false)[0]);
	}

	@Test
	void rejectsTokenIdsOutsideTheVocabularyWhenDecoding() {
		Tokenizer spm = Vocabularies.tokenizer("llama-spm");

		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
				() -> spm.decode(new int[] { 32000 }));
		assertEquals("token id 32000 is outside the vocabulary of 32000 tokens", e.getMessage());
	}

	private Path write(GgufWriter writer) throws IOException {
		Path file = dir.resolve("vocab.gguf");
		writer.write(file);
		return file;
	}

	private static long offsetOf(Path file, String key) throws IOException {
		try (GgufFile gguf = GgufFile.open(file)) {
			return gguf.metadata().offset(key).orElseThrow();
		}
	}

	private static Tokenizer load(Path file) throws IOException {
		try (GgufFile gguf = GgufFile.open(file)) {
			return Tokenizer.fromGguf(gguf.metadata());
		}
	}

}
