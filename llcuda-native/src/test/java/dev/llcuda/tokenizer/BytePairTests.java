package dev.llcuda.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The byte-level BPE merge rules on small hand-made vocabularies (token ids are list
 * positions).
 */
class BytePairTests {

	private static final List<String> TOKENS = List.of("a", "b", "c", "abc", "bc", "ĠĠ", "Ġ");

	@Test
	void appliesMergesInRankOrder() {
		Tokenizer bpe = tokenizer("gpt-2", List.of("b c", "a bc"));

		assertArrayEquals(new int[] { 3 }, bpe.encode("abc", false, false));
	}

	@Test
	void lowerRankWinsOverPosition() {
		Tokenizer bpe = tokenizer("gpt-2", List.of("b c", "a b"));

		assertArrayEquals(new int[] { 0, 4 }, bpe.encode("abc", false, false));
	}

	@Test
	void mergesThroughIntermediatesThatAreNoTokens() {
		Tokenizer bpe = tokenizer("gpt-2", List.of("a b", "ab c"));

		assertArrayEquals(new int[] { 3 }, bpe.encode("abc", false, false));
		// "ab" is no token: its characters are emitted one by one, as llama.cpp does
		assertArrayEquals(new int[] { 0, 1 }, bpe.encode("ab", false, false));
	}

	@Test
	void llama3EmitsWordsThatAreTokensWithoutMerging() {
		assertArrayEquals(new int[] { 3 }, tokenizer("llama-bpe", List.of()).encode("abc", false, false));
		assertArrayEquals(new int[] { 0, 1, 2 }, tokenizer("gpt-2", List.of()).encode("abc", false, false));
	}

	@Test
	void spellsSpacesAsByteCharacters() {
		Tokenizer bpe = tokenizer("gpt-2", List.of("Ġ Ġ"));

		assertArrayEquals(new int[] { 5, 6, 0 }, bpe.encode("   a", false, false));
	}

	private static Tokenizer tokenizer(String pre, List<String> merges) {
		return Tokenizer.of(new Vocabulary("gpt2", pre, "", TOKENS, new float[0],
				Collections.nCopies(TOKENS.size(), TokenType.NORMAL), merges, SpecialTokenIds.NONE, Optional.empty(),
				Optional.empty(), Optional.empty()));
	}

}
