package dev.llcuda.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecialTokensTests {

	@TempDir
	Path dir;

	@Test
	void recognisesControlTokensInTextOnlyWhenAskedTo() {
		Tokenizer llama3 = Vocabularies.tokenizer("llama-bpe");
		String text = "<|start_header_id|>Hello<|eot_id|>";

		assertArrayEquals(new int[] { 128006, 9906, 128009 }, llama3.encode(text, false, true));

		int[] plain = llama3.encode(text, false, false);
		assertFalse(Arrays.stream(plain).anyMatch(id -> id >= 128000), Arrays.toString(plain));
		assertEquals(text, llama3.decode(plain));
	}

	@Test
	void recognisesUserDefinedTokensEvenWithoutParsingSpecialTokens() {
		Tokenizer deepseek = Vocabularies.tokenizer("deepseek-coder");

		assertArrayEquals(new int[] { 32000 }, deepseek.encode("õ", false, false));
		assertEquals("õ", deepseek.decode(new int[] { 32000 }));
	}

	@Test
	void addsBosWhereTheVocabularyAsksForIt() {
		Tokenizer spm = Vocabularies.tokenizer("llama-spm");
		Tokenizer llama3 = Vocabularies.tokenizer("llama-bpe");
		Tokenizer gpt2 = Vocabularies.tokenizer("gpt-2");

		assertArrayEquals(new int[] { 1, 15043 }, spm.encode("Hello", true, false));
		assertArrayEquals(new int[] { 128000, 9906 }, llama3.encode("Hello", true, false));
		assertArrayEquals(new int[] { 15496 }, gpt2.encode("Hello", true, false));
		assertTrue(spm.addBos());
		assertTrue(llama3.addBos());
		assertFalse(gpt2.addBos());
		assertEquals(OptionalInt.of(1), spm.bos());
		assertEquals(OptionalInt.of(2), spm.eos());
	}

	@Test
	void wordPieceWrapsTheTextInClassifierAndSeparatorTokens() {
		Tokenizer bert = Vocabularies.tokenizer("bert-bge");

		assertArrayEquals(new int[] { 101, 7592, 2088, 102 }, bert.encode("Hello World", true, false));
		assertEquals(" hello world", bert.decode(bert.encode("Hello World", true, false)));
	}

	@Test
	void wordPieceTurnsAWordWithAnUnknownPartIntoTheUnknownToken() {
		Tokenizer bert = Vocabularies.tokenizer("bert-bge");

		assertArrayEquals(new int[] { 7592, 100, 2088 }, bert.encode("hello \uA66E\uA66E world", false, false));
	}

	@Test
	void decodingRendersControlTokensAsNothing() {
		Tokenizer llama3 = Vocabularies.tokenizer("llama-bpe");

		assertEquals("Hello", llama3.decode(new int[] { 128000, 9906, 128009 }));
		assertEquals("<|eot_id|>", llama3.tokenText(128009));
	}

	@Test
	void looksUpTokensByTheirExactSpelling() {
		Tokenizer llama3 = Vocabularies.tokenizer("llama-bpe");

		assertTrue(llama3.hasToken("<|eot_id|>"));
		assertFalse(llama3.hasToken("<|im_end|>"));
		assertFalse(llama3.hasToken("<|eot_id|> "));
	}

	@Test
	void endOfGenerationIdsComeFromMetadataAndWellKnownTokenTexts() {
		assertEquals(Set.of(128001, 128009), Vocabularies.tokenizer("llama-bpe").endOfGenerationIds());
		assertEquals(Set.of(2), Vocabularies.tokenizer("llama-spm").endOfGenerationIds());
		assertEquals(Set.of(50256), Vocabularies.tokenizer("gpt-2").endOfGenerationIds());
		assertTrue(Vocabularies.tokenizer("phi-3").endOfGenerationIds().containsAll(Set.of(32000, 32007)));
	}

	@Test
	void gemmasEndOfTurnEndsGenerationBesideItsEos() throws Exception {
		// The special tokens of a Gemma vocabulary at their ids in google/gemma-3-1b-it's
		// tokenizer.
		String[] tokens = new String[107];
		Arrays.setAll(tokens, i -> "t" + i);
		tokens[0] = "<pad>";
		tokens[1] = "<eos>";
		tokens[2] = "<bos>";
		tokens[3] = "<unk>";
		tokens[105] = "<start_of_turn>";
		tokens[106] = "<end_of_turn>";
		Path file = dir.resolve("gemma-vocab.gguf");
		new GgufWriter().putString("tokenizer.ggml.model", "llama")
			.putStrings("tokenizer.ggml.tokens", tokens)
			.putFloat32s("tokenizer.ggml.scores", new float[tokens.length])
			.putUint32("tokenizer.ggml.bos_token_id", 2)
			.putUint32("tokenizer.ggml.eos_token_id", 1)
			.write(file);
		try (GgufFile gguf = GgufFile.open(file)) {
			assertEquals(Set.of(1, 106), Tokenizer.fromGguf(gguf.metadata()).endOfGenerationIds());
		}
	}

	@Test
	void phi3DropsWhitespaceAfterItsSpecialTokensAndPrefixesTheNextText() {
		Tokenizer phi3 = Vocabularies.tokenizer("phi-3");

		assertArrayEquals(new int[] { 32010, 6324, 32007 }, phi3.encode("<|user|>\n Hi<|end|>", false, true));
	}

}
