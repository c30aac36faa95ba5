package dev.llcuda.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * SentencePiece BPE ({@code tokenizer.ggml.model = llama}): spaces become U+2581, then
 * neighbouring pieces merge while their union is a token, highest score first (leftmost
 * on ties); pieces left that are not tokens fall back to byte tokens {@code <0xXX>}.
 *
 * <p>
 * Pieces that are tokens are ints; which pairs of tokens join into a token is
 * precomputed, so the merge loop builds no strings except for characters that are not
 * tokens themselves.
 */
final class SentencePieceTokenizer extends BaseTokenizer {

	static final char SPACE_MARK = '\u2581';

	private final Vocabulary vocabulary;

	private final int[] byteTokens = new int[256];

	/** The token of each BMP character, -1 where the character alone is no token. */
	private final int[] charTokens = new int[Character.MAX_VALUE + 1];

	/** Pairs of tokens whose texts joined form a token (the rank field is unused). */
	private final MergeTable joins;

	/**
	 * Whether no token continues across the start of a space run ("x▁"): then each word
	 * merges on its own, exactly as within the whole text, and words can be cached.
	 */
	private final boolean wordsMergeAlone;

	private final WordCache cache = new WordCache();

	SentencePieceTokenizer(Vocabulary vocabulary) {
		super(new TokenTable(vocabulary, ModelDefaults.SENTENCE_PIECE), SentencePieceTokenizer::unescape);
		this.vocabulary = vocabulary;
		for (int b = 0; b < 256; b++) {
			byteTokens[b] = byteToken(b);
		}
		for (int c = 0; c <= Character.MAX_VALUE; c++) {
			charTokens[c] = Character.isSurrogate((char) c) ? -1 : table.id(String.valueOf((char) c));
		}
		joins = joins(table);
		boolean crossing = false;
		for (int id = 0; id < table.size(); id++) {
			crossing |= spansWordStart(table.text(id));
		}
		wordsMergeAlone = !crossing;
	}

	/**
	 * Every split of a token, at a character boundary, into two tokens: the tokens that
	 * are prefixes and suffixes of each text come from two tries, so this is linear in
	 * the length of all texts.
	 */
	private static MergeTable joins(TokenTable table) {
		MergeTable joins = new MergeTable(table.size() * 4);
		TokenTrie forwards = new TokenTrie(table, false);
		TokenTrie backwards = new TokenTrie(table, true);
		int[] prefixes = new int[1];
		int[] suffixes = new int[1];
		for (int id = 0; id < table.size(); id++) {
			String text = table.text(id);
			int length = text.length();
			if (prefixes.length <= length) {
				prefixes = new int[length + 1];
				suffixes = new int[length + 1];
			}
			int prefixWalk = forwards.tokensAlong(text, 0, length, prefixes);
			int suffixWalk = backwards.tokensAlong(text, 0, length, suffixes);
			int whole = table.id(text); // a duplicate text resolves to the id llama.cpp
										// uses
			for (int split = Math.max(1, length - suffixWalk); split <= prefixWalk && split < length; split++) {
				int left = prefixes[split];
				int right = suffixes[length - split];
				if (left >= 0 && right >= 0 && !Character.isLowSurrogate(text.charAt(split))) {
					joins.putIfAbsent(left, right, 0, whole);
				}
			}
		}
		return joins;
	}

	/**
	 * Whether the text holds U+2581 right after another character, i.e. continues across
	 * a word start.
	 */
	private static boolean spansWordStart(String text) {
		for (int i = text.indexOf(SPACE_MARK, 1); i > 0; i = text.indexOf(SPACE_MARK, i + 1)) {
			if (text.charAt(i - 1) != SPACE_MARK) {
				return true;
			}
		}
		return false;
	}

	static byte[] unescape(String tokenText) {
		return tokenText.replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Byte-fallback tokens can spell the space mark too (in small vocabularies that lack
	 * "▁").
	 */
	@Override
	String surface(String decoded) {
		return decoded.replace(SPACE_MARK, ' ');
	}

	/**
	 * {@code <0xXX>}, else the byte itself as a token, else the unknown token (-1 if
	 * none).
	 */
	private int byteToken(int b) {
		int id = table.id(String.format("<0x%02X>", b));
		if (id < 0 && b < 0x80) {
			id = table.id(String.valueOf((char) b));
		}
		return id >= 0 ? id : table.unknown().orElse(-1);
	}

	@Override
	void encodeText(String text, int start, int end, boolean afterSpecial, IntList out) {
		String raw = text.substring(start, end);
		String escaped = ((table.addSpacePrefix() && afterSpecial) ? " " + raw : raw).replace(' ', SPACE_MARK);
		if (!wordsMergeAlone) {
			new Session(escaped).run(out);
			return;
		}
		int wordStart = 0;
		for (int i = 1; i <= escaped.length(); i++) {
			if (i == escaped.length() || (escaped.charAt(i) == SPACE_MARK && escaped.charAt(i - 1) != SPACE_MARK)) {
				out.addAll(cache.get(escaped.substring(wordStart, i), this::encodeWord));
				wordStart = i;
			}
		}
	}

	private int[] encodeWord(String word) {
		IntList ids = new IntList(word.length());
		new Session(word).run(ids);
		return ids.toArray();
	}

	/**
	 * One merge run over one text; symbols are code points joined into a doubly linked
	 * list.
	 */
	private final class Session {

		private final String text;

		private final int[] start;

		private final int[] length;

		private final int[] token;

		private final int[] prev;

		private final int[] next;

		private final LongHeap queue = new LongHeap();

		Session(String text) {
			this.text = text;
			int n = text.codePointCount(0, text.length());
			start = new int[n];
			length = new int[n];
			token = new int[n];
			prev = new int[n];
			next = new int[n];
			int offset = 0;
			for (int i = 0; i < n; i++) {
				int cp = text.codePointAt(offset);
				int chars = Character.charCount(cp);
				start[i] = offset;
				length[i] = chars;
				token[i] = chars == 1 ? charTokens[cp] : table.id(text.substring(offset, offset + chars));
				prev[i] = i - 1;
				next[i] = i + 1 < n ? i + 1 : -1;
				offset += chars;
			}
		}

		void run(IntList out) {
			if (start.length == 0) {
				return;
			}
			for (int i = 1; i < start.length; i++) {
				offer(i - 1, i);
			}
			while (!queue.isEmpty()) {
				long entry = queue.pop();
				int left = (int) entry;
				int right = next[left];
				if (length[left] == 0 || right < 0) {
					continue;
				}
				int joined = join(left, right);
				if (joined < 0 || priority(vocabulary.score(joined), left) != entry) {
					continue; // stale: the pair changed since it was queued
				}
				token[left] = joined;
				length[left] += length[right];
				length[right] = 0;
				next[left] = next[right];
				if (next[right] >= 0) {
					prev[next[right]] = left;
				}
				offer(prev[left], left);
				offer(left, next[left]);
			}
			for (int i = 0; i != -1; i = next[i]) {
				emit(i, out);
			}
		}

		/** The token spelled by two neighbouring pieces together, or -1. */
		private int join(int left, int right) {
			if (token[left] >= 0 && token[right] >= 0) {
				return (int) joins.find(token[left], token[right]);
			}
			return table.id(text.substring(start[left], start[right] + length[right]));
		}

		private void offer(int left, int right) {
			if (left < 0 || right < 0) {
				return;
			}
			int joined = join(left, right);
			if (joined >= 0) {
				queue.push(priority(vocabulary.score(joined), left));
			}
		}

		private void emit(int piece, IntList out) {
			if (token[piece] >= 0) {
				out.add(token[piece]);
				return;
			}
			String text = this.text.substring(start[piece], start[piece] + length[piece]);
			for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
				int id = byteTokens[b & 0xFF];
				if (id >= 0) {
					out.add(id);
				}
			}
		}

	}

	/** Heap order: higher score first, then the leftmost pair. */
	private static long priority(float score, int left) {
		int bits = Float.floatToIntBits(score);
		int ordered = bits >= 0 ? bits : bits ^ 0x7FFFFFFF;
		return ((long) ~ordered << 32) | left;
	}

}
