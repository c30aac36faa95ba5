package dev.llcuda.sample;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.llcuda.tokenizer.TokenType;

/**
 * A small SentencePiece-style vocabulary built in code: unknown, BOS, EOS, the 256
 * byte-fallback tokens, single characters, and common English words with every prefix
 * (SentencePiece merges pieces pairwise, so each step of a word must be a token). Scores
 * prefer longer pieces.
 */
final class DemoVocabulary {

	static final int UNKNOWN_ID = 0;
	static final int BOS_ID = 1;
	static final int EOS_ID = 2;

	/** SentencePiece's word-start marker (U+2581). */
	private static final String SPACE = "\u2581";

	static final String WORDS = "the of and to a in is it you that he was for on are with as I his they be at one "
			+ "have this from or had by word but what some we can out other were all there when up use your how said an "
			+ "each she which do their time if will way about many then them write would like so these her long make "
			+ "thing see him two has look more day could go come did number sound no most people my over know water than "
			+ "call first who may down side been now find model text demo random llcuda GPU Spring Boot hello world";

	static final String CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?'\"-()[]/";

	private final List<String> tokens = new ArrayList<>();

	private final List<Float> scores = new ArrayList<>();

	private final List<TokenType> types = new ArrayList<>();

	DemoVocabulary() {
		add("<unk>", 0, TokenType.UNKNOWN);
		add("<s>", 0, TokenType.CONTROL);
		add("</s>", 0, TokenType.CONTROL);
		for (int b = 0; b < 256; b++) {
			add(String.format(Locale.ROOT, "<0x%02X>", b), 0, TokenType.BYTE);
		}
		Set<String> pieces = new LinkedHashSet<>();
		pieces.add(SPACE);
		for (char c : CHARACTERS.toCharArray()) {
			pieces.add(String.valueOf(c));
			pieces.add(SPACE + c);
		}
		for (String word : WORDS.split(" ")) {
			String piece = SPACE + word;
			for (int end = 2; end <= piece.length(); end++) {
				pieces.add(piece.substring(0, end));
			}
		}
		for (String piece : pieces) {
			add(piece, piece.length() - tokens.size() * 1e-4f, TokenType.NORMAL);
		}
	}

	private void add(String token, float score, TokenType type) {
		this.tokens.add(token);
		this.scores.add(score);
		this.types.add(type);
	}

	String[] tokens() {
		return this.tokens.toArray(String[]::new);
	}

	float[] scores() {
		float[] result = new float[this.scores.size()];
		for (int i = 0; i < result.length; i++) {
			result[i] = this.scores.get(i);
		}
		return result;
	}

	int[] types() {
		return this.types.stream().mapToInt(TokenType::code).toArray();
	}

	int size() {
		return this.tokens.size();
	}

}
