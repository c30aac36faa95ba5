package dev.llcuda.tokenizer;

import static dev.llcuda.tokenizer.CharClass.LETTER;
import static dev.llcuda.tokenizer.CharClass.NUMBER;
import static dev.llcuda.tokenizer.CharClass.WHITESPACE;

/**
 * GPT-2's pre-tokenizer regex {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+|
 * ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} as a hand-written scanner (several times faster than
 * the regex engine; same words).
 */
final class Gpt2Splitter implements Splitter {

	static final Gpt2Splitter INSTANCE = new Gpt2Splitter();

	private Gpt2Splitter() {
	}

	@Override
	public void split(String text, int start, int end, IntList wordEnds) {
		Scanner s = new Scanner(text, end);
		int pos = start;
		while (pos < end) {
			int cp = text.codePointAt(pos);
			int contraction = Contractions.length(text, pos, end, false);
			if (contraction > 0) {
				pos += contraction;
				wordEnds.add(pos);
				continue;
			}
			int body = cp == ' ' ? pos + 1 : pos;
			int bodyFlags = s.flagsAt(body);
			if (body < end && (bodyFlags & LETTER) != 0) {
				pos = s.skip(body, LETTER, true);
			}
			else if (body < end && (bodyFlags & NUMBER) != 0) {
				pos = s.skip(body, NUMBER, true);
			}
			else if (body < end && (bodyFlags & (WHITESPACE | LETTER | NUMBER)) == 0) {
				pos = s.skip(body, WHITESPACE | LETTER | NUMBER, false);
			}
			else {
				pos = s.whitespace(pos, false);
			}
			wordEnds.add(pos);
		}
	}

}
