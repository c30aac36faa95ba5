package dev.llcuda.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufFormatException;
import dev.llcuda.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vocabulary comes from the model file: its set-up is linear in the token bytes, and
 * tokens or vocabularies past the limits are refused at load, by name, before any table
 * is built.
 */
class VocabularyLimitsTests {

	/**
	 * Generous for a loaded test machine; the quadratic set-up took minutes for the long
	 * tokens below.
	 */
	private static final Duration BOUND = Duration.ofSeconds(20);

	@TempDir
	Path dir;

	@Test
	void aOneMegabyteTokenIsRefusedQuicklyNamingItsIndexLengthAndTheLimit() throws IOException {
		Path file = dir.resolve("vocab.gguf");
		new GgufWriter().putString("tokenizer.ggml.model", "llama")
			.putStrings("tokenizer.ggml.tokens", "<unk>", "a", "\u2581".repeat((1 << 20) / 3) + "a", "b")
			.write(file);

		GgufFormatException e = assertTimeout(BOUND, () -> assertThrows(GgufFormatException.class, () -> {
			try (GgufFile gguf = GgufFile.open(file)) {
				Tokenizer.fromGguf(gguf.metadata());
			}
		}));
		assertEquals(file, e.path());
		assertEquals(file + " at byte offset " + e.offset() + ": token 2 is " + (3 * ((1 << 20) / 3) + 1)
				+ " bytes long, more than the limit MAX_TOKEN_BYTES = 65536", e.getMessage());
	}

	@Test
	void aVocabularyLargerThanTheLimitIsRefused() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
				() -> vocabulary("llama", Collections.nCopies(Vocabulary.MAX_VOCABULARY_SIZE + 1, "a")));
		assertEquals("the vocabulary has 2097153 tokens, more than the limit MAX_VOCABULARY_SIZE = 2097152",
				e.getMessage());
	}

	@Test
	void sentencePieceSetUpIsLinearInTheTokenBytes() {
		// every prefix and suffix of the long tokens is a token: the old set-up built
		// each as a string
		List<String> tokens = new ArrayList<>(List.of("<unk>", "a", "b"));
		for (int length = 2; length <= 2_000; length++) {
			tokens.add("a".repeat(length));
		}
		tokens.add("a".repeat(Vocabulary.MAX_TOKEN_BYTES - 1) + "b");
		Tokenizer tokenizer = assertTimeout(BOUND, () -> Tokenizer.of(vocabulary("llama", tokens)));

		// equal scores merge leftmost first: runs of 2,000, then the rest
		int[] ids = tokenizer.encode("a".repeat(Vocabulary.MAX_TOKEN_BYTES - 1) + "b", false, false);
		assertEquals(34, ids.length);
		assertEquals(2_000 + 1, ids[0]);
		assertEquals(65_535 - 32 * 2_000 + 1, ids[32]);
		assertEquals(2, ids[33]);
		assertArrayEquals(new int[] { 2_000 - 1 + 2, 2_000 - 1 + 2, 3 },
				tokenizer.encode("a".repeat(4_002), false, false));
	}

	@Test
	void wordPieceFindsTheLongestTokenInOneWalk() {
		List<String> tokens = List.of("[UNK]", "\u2581a", "a", "\u2581" + "a".repeat(Vocabulary.MAX_TOKEN_BYTES - 3));
		Tokenizer tokenizer = assertTimeout(BOUND, () -> Tokenizer.of(vocabulary("bert", tokens)));

		int[] ids = assertTimeout(BOUND, () -> tokenizer.encode("a".repeat(200_000), false, false));
		assertEquals(1 + 200_000 - (Vocabulary.MAX_TOKEN_BYTES - 3), ids.length);
		assertEquals(3, ids[0]);
		assertEquals(2, ids[ids.length - 1]);
	}

	private static Vocabulary vocabulary(String model, List<String> tokens) {
		return new Vocabulary(model, "", "", tokens, new float[0], List.of(), List.of(), SpecialTokenIds.NONE,
				Optional.of(false), Optional.empty(), Optional.of(false));
	}

}
