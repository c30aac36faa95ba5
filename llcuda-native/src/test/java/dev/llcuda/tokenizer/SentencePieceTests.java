package dev.llcuda.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The SentencePiece merge rules on small hand-made vocabularies. */
class SentencePieceTests {

	@Test
	void mergesTheHighestScoringPairFirst() {
		Tokenizer spm = vocabulary("a", 0, "b", 0, "c", 0, "ab", -1, "bc", -0.5f);

		assertArrayEquals(ids(spm, "a", "bc"), spm.encode("abc", false, false));
	}

	@Test
	void mergesTheLeftmostPairWhenScoresTie() {
		Tokenizer spm = vocabulary("a", 0, "b", 0, "c", 0, "ab", -1, "bc", -1);

		assertArrayEquals(ids(spm, "ab", "c"), spm.encode("abc", false, false));
	}

	@Test
	void mergesAcrossWordStartsWhenTheVocabularyHasSuchTokens() {
		Tokenizer spm = vocabulary("a", 0, "b", 0, "\u2581", 0, "a\u2581", -2, "a\u2581b", -1);

		assertArrayEquals(ids(spm, "a\u2581b"), spm.encode("a b", false, false));
	}

	@Test
	void fallsBackToByteTokensForPiecesThatAreNoTokens() {
		Tokenizer spm = vocabulary("a", 0);

		int[] ids = spm.encode("aé", false, false);

		assertArrayEquals(new int[] { ids(spm, "a")[0], 3 + 0xC3, 3 + 0xA9 }, ids);
		assertEquals("aé", spm.decode(ids));
	}

	/**
	 * {@code <unk> <s> </s>}, the 256 byte tokens, then the given pieces and scores; no
	 * space prefix.
	 */
	private static Tokenizer vocabulary(Object... piecesAndScores) {
		List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
		List<TokenType> types = new ArrayList<>(List.of(TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL));
		List<Float> scores = new ArrayList<>(List.of(0f, 0f, 0f));
		for (int b = 0; b < 256; b++) {
			tokens.add(String.format("<0x%02X>", b));
			types.add(TokenType.BYTE);
			scores.add(0f);
		}
		for (int i = 0; i < piecesAndScores.length; i += 2) {
			tokens.add((String) piecesAndScores[i]);
			types.add(TokenType.NORMAL);
			scores.add(((Number) piecesAndScores[i + 1]).floatValue());
		}
		float[] scoreArray = new float[scores.size()];
		for (int i = 0; i < scoreArray.length; i++) {
			scoreArray[i] = scores.get(i);
		}
		return Tokenizer.of(new Vocabulary("llama", "", "", tokens, scoreArray, types, List.of(), SpecialTokenIds.NONE,
				Optional.empty(), Optional.empty(), Optional.of(false)));
	}

	private static int[] ids(Tokenizer tokenizer, String... pieces) {
		int[] ids = new int[pieces.length];
		for (int i = 0; i < pieces.length; i++) {
			for (int id = 0; id < tokenizer.vocabSize(); id++) {
				if (tokenizer.tokenText(id).equals(pieces[i])) {
					ids[i] = id;
				}
			}
		}
		return ids;
	}

}
