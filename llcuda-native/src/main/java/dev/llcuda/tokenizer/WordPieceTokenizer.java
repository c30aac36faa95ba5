package dev.llcuda.tokenizer;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * WordPiece ({@code tokenizer.ggml.model = bert}) as llama.cpp runs it: the text is
 * lower-cased, stripped of accents and split at whitespace and punctuation; each word,
 * prefixed with U+2581 (GGUF spells word starts that way instead of BERT's {@code ##}
 * continuations), is cut greedily into the longest tokens; a word with an unmatched part
 * becomes the unknown token.
 */
final class WordPieceTokenizer extends BaseTokenizer {

	/**
	 * Finds the longest token at a place in one walk, however long the vocabulary's
	 * tokens are.
	 */
	private final TokenTrie tokens;

	WordPieceTokenizer(Vocabulary vocabulary) {
		super(new TokenTable(vocabulary, ModelDefaults.WORD_PIECE), SentencePieceTokenizer::unescape);
		tokens = new TokenTrie(table, false);
	}

	@Override
	OptionalInt prefixToken() {
		return table.bos();
	}

	@Override
	OptionalInt suffixToken() {
		return table.separator();
	}

	@Override
	void encodeText(String text, int start, int end, boolean afterSpecial, IntList out) {
		for (String word : words(text.substring(start, end))) {
			int before = out.size();
			String marked = SentencePieceTokenizer.SPACE_MARK + word;
			int[] prefixes = new int[marked.length() + 1];
			int i = 0;
			while (i < marked.length()) {
				int j = i + tokens.tokensAlong(marked, i, marked.length(), prefixes);
				int id = -1;
				for (; j > i; j--) {
					id = prefixes[j - i];
					if (id >= 0) {
						break;
					}
				}
				if (id < 0) {
					out.truncate(before); // the whole word is unknown
					break;
				}
				out.add(id);
				i = j;
			}
			if (out.size() == before) {
				table.unknown().ifPresent(out::add);
			}
		}
	}

	/**
	 * BERT's basic tokenizer: lower-case, strip accents, split at whitespace, punctuation
	 * and CJK characters.
	 */
	static List<String> words(String text) {
		List<String> words = new ArrayList<>();
		StringBuilder word = new StringBuilder();
		for (int i = 0; i < text.length();) {
			int cp = text.codePointAt(i);
			i += Character.charCount(cp);
			cp = baseCharacter(cp);
			int flags = CharClass.flags(cp);
			if ((flags & CharClass.WHITESPACE) != 0) {
				flush(word, words);
				continue;
			}
			if (cp == 0 || cp == 0xFFFD || (flags & (CharClass.CONTROL | CharClass.MARK)) != 0) {
				continue;
			}
			int lower = Character.toLowerCase(cp);
			boolean standsAlone = (flags & CharClass.PUNCTUATION) != 0 || (cp < 0x7F && (flags & CharClass.SYMBOL) != 0)
					|| isChineseCharacter(cp);
			if (standsAlone) {
				flush(word, words);
				words.add(new String(Character.toChars(lower)));
			}
			else {
				word.appendCodePoint(lower);
			}
		}
		flush(word, words);
		return words;
	}

	private static void flush(StringBuilder word, List<String> words) {
		if (word.length() > 0) {
			words.add(word.toString());
			word.setLength(0);
		}
	}

	/**
	 * The first code point of the canonical decomposition (llama.cpp keeps only that
	 * one).
	 */
	private static int baseCharacter(int cp) {
		if (cp < 0xC0) {
			return cp;
		}
		return Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFD).codePointAt(0);
	}

	/**
	 * The CJK ranges of BERT's tokenizer (with its 0x2B920 typo, which llama.cpp keeps).
	 */
	private static boolean isChineseCharacter(int cp) {
		return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
				|| (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
				|| (cp >= 0x2B920 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
				|| (cp >= 0x2F800 && cp <= 0x2FA1F);
	}

}
