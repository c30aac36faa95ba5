package dev.llcuda.grammar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Token masks from the trie walk equal a brute-force test of every token, along random
 * valid outputs.
 */
class TokenMasksTests {

	private static final String[] PIECES = { "{", "}", "\"", ":", ",", " ", "\n", "[", "]", "a", "b", "é", "1", "0",
			"-", ".", "e", "true", "false", "null", "{\"", "\":", "\",\"", "\"}", "ab", "ba", "\"a\"", "12", "[1", "],",
			"name", "\"name\":", "\"age\":", "tr", "ue", "  ", "\\", "\\n", "x\"", "}}", "\"\"", "\u00c3", "\u00a9" };

	/**
	 * A vocabulary of the pieces, the single bytes 0..255 (byte fallback), an empty
	 * control token and EOS.
	 */
	static byte[][] vocabulary() {
		List<byte[]> tokens = new ArrayList<>();
		for (String piece : PIECES) {
			tokens.add(piece.getBytes(StandardCharsets.UTF_8));
		}
		for (int b = 0; b < 256; b++) {
			tokens.add(new byte[] { (byte) b });
		}
		tokens.add(new byte[0]); // a control token: never allowed
		tokens.add(new byte[0]); // EOS
		return tokens.toArray(new byte[0][]);
	}

	private static int[] bruteForce(MatchState state, byte[][] vocab, int eos) {
		int[] mask = new int[(vocab.length + 31) / 32];
		for (int t = 0; t < vocab.length; t++) {
			boolean ok = t == eos ? state.accepting() : vocab[t].length > 0 && state.advance(vocab[t]) != null;
			if (ok) {
				mask[t >>> 5] |= 1 << (t & 31);
			}
		}
		return mask;
	}

	@Test
	void trieMasksEqualBruteForceAlongRandomOutputs() {
		byte[][] vocab = vocabulary();
		int eos = vocab.length - 1;
		TokenTrie trie = new TokenTrie(vocab, Set.of(eos));
		Grammars grammars = new Grammars();
		List<Grammar> cases = List.of(grammars.jsonObject(), grammars.jsonSchema("""
				{"type":"object","properties":{"name":{"type":"string","maxLength":4},"age":{"type":"integer"},
				 "tags":{"type":"array","items":{"enum":["a","b"]},"maxItems":3}},"required":["name"]}"""),
				grammars.choice(List.of("true", "tr", "false")));
		Random random = new Random(7);
		for (Grammar grammar : cases) {
			TokenMasks masks = new TokenMasks(grammar, trie);
			for (int run = 0; run < 30; run++) {
				GrammarMatcher matcher = masks.newMatcher();
				MatchState state = MatchState.start(grammar);
				StringBuilder out = new StringBuilder();
				for (int step = 0; step < 60; step++) {
					int[] mask = matcher.allowedTokens();
					assertArrayEquals(bruteForce(state, vocab, eos), mask, () -> "after " + out);
					List<Integer> allowed = new ArrayList<>();
					for (int t = 0; t < vocab.length; t++) {
						if ((mask[t >>> 5] & (1 << (t & 31))) != 0) {
							allowed.add(t);
						}
					}
					assertTrue(!allowed.isEmpty(), () -> "dead end after " + out);
					int token = allowed.get(random.nextInt(allowed.size()));
					matcher.accept(token);
					if (token == eos) {
						break;
					}
					state = state.advance(vocab[token]);
					out.append(new String(vocab[token], StandardCharsets.ISO_8859_1));
				}
			}
			assertTrue(masks.hitRate() > 0.0);
		}
	}

	@Test
	void endOfGenerationOnlyWhereTheOutputMayEndAndDisallowedTokensAreRefused() {
		byte[][] vocab = vocabulary();
		int eos = vocab.length - 1;
		TokenMasks masks = new TokenMasks(new Grammars().choice(List.of("ab")), new TokenTrie(vocab, Set.of(eos)));
		GrammarMatcher matcher = masks.newMatcher();
		assertEquals(0, matcher.allowedTokens()[eos >>> 5] & (1 << (eos & 31)));
		assertThrows(IllegalStateException.class, () -> matcher.accept(eos));
		assertThrows(IllegalStateException.class, () -> matcher.accept(1));
		assertThrows(IllegalStateException.class, () -> matcher.accept(vocab.length));
		matcher.accept(List.of(PIECES).indexOf("ab"));
		assertTrue(matcher.finished());
		int[] mask = matcher.allowedTokens();
		for (int t = 0; t < vocab.length; t++) {
			assertEquals(t == eos, (mask[t >>> 5] & (1 << (t & 31))) != 0, "token " + t);
		}
		matcher.accept(eos);
	}

}
