package dev.llcuda.tokenizer;

import static dev.llcuda.tokenizer.CharClass.LETTER;
import static dev.llcuda.tokenizer.CharClass.NUMBER;
import static dev.llcuda.tokenizer.CharClass.WHITESPACE;

/**
 * The Llama 3 pre-tokenizer regex
 * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
 * ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+} as a hand-written scanner. Qwen2
 * uses the same with single digits ({@code \p{N}}).
 */
final class Llama3Splitter implements Splitter {

	static final Llama3Splitter LLAMA3 = new Llama3Splitter(3);
	static final Llama3Splitter QWEN2 = new Llama3Splitter(1);

	private final int maxDigits;

	private Llama3Splitter(int maxDigits) {
		this.maxDigits = maxDigits;
	}

	@Override
	public void split(String text, int start, int end, IntList wordEnds) {
		Scanner s = new Scanner(text, end);
		int pos = start;
		while (pos < end) {
			int contraction = Contractions.length(text, pos, end, true);
			if (contraction > 0) {
				pos += contraction;
				wordEnds.add(pos);
				continue;
			}
			int cp = text.codePointAt(pos);
			int flags = CharClass.flags(cp);
			int next = s.next(pos);
			// [^\r\n\p{L}\p{N}]?\p{L}+
			if (cp != '\r' && cp != '\n' && (flags & NUMBER) == 0
					&& ((flags & LETTER) != 0 || (s.flagsAt(next) & LETTER) != 0)) {
				pos = s.skip(next, LETTER, true);
				wordEnds.add(pos);
				continue;
			}
			// \p{N}{1,maxDigits}
			if ((flags & NUMBER) != 0) {
				int digits = 0;
				while (pos < end && (s.flagsAt(pos) & NUMBER) != 0 && digits < maxDigits) {
					pos = s.next(pos);
					digits++;
				}
				wordEnds.add(pos);
				continue;
			}
			// ' ?[^\s\p{L}\p{N}]+[\r\n]*'
			int body = cp == ' ' ? next : pos;
			if (body < end && (s.flagsAt(body) & (WHITESPACE | LETTER | NUMBER)) == 0) {
				pos = s.skip(body, WHITESPACE | LETTER | NUMBER, false);
				while (pos < end && (text.charAt(pos) == '\r' || text.charAt(pos) == '\n')) {
					pos++;
				}
				wordEnds.add(pos);
				continue;
			}
			// \s*[\r\n]+ | \s+(?!\S) | \s+
			pos = s.whitespace(pos, true);
			wordEnds.add(pos);
		}
	}

}
