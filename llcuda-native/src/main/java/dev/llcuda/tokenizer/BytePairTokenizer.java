package dev.llcuda.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = gpt2}): the pre-tokenizer splits the text
 * into words, each word's UTF-8 bytes become byte symbols, and adjacent symbols merge by
 * merge rank (lowest first, leftmost on ties) until no pair merges.
 *
 * <p>
 * Symbols are ints: token ids, plus ids from {@link #vocabSize()} upward for the few
 * merge results that are not tokens. Words already seen come from a cache.
 */
final class BytePairTokenizer extends BaseTokenizer {

	private final PreTokenizer preTokenizer;

	private final MergeTable merges;

	private final String[] extraSymbols;

	private final int[] byteSymbols = new int[256];

	private final WordCache cache = new WordCache();

	BytePairTokenizer(Vocabulary vocabulary) {
		this(vocabulary, PreTokenizer.forName(vocabulary.preTokenizer()));
	}

	private BytePairTokenizer(Vocabulary vocabulary, PreTokenizer preTokenizer) {
		super(new TokenTable(vocabulary,
				preTokenizer.addsBos() ? ModelDefaults.BYTE_PAIR_WITH_BOS : ModelDefaults.BYTE_PAIR),
				BytePairTokenizer::byteDecode);
		this.preTokenizer = preTokenizer;
		SymbolTable symbols = new SymbolTable();
		for (int b = 0; b < 256; b++) {
			byteSymbols[b] = symbols.intern(String.valueOf(ByteLevel.charOf(b)));
		}
		List<String> mergeList = vocabulary.merges();
		merges = new MergeTable(mergeList.size());
		for (int rank = 0; rank < mergeList.size(); rank++) {
			String merge = mergeList.get(rank);
			int space = merge.indexOf(' ', 1);
			if (space < 0) {
				continue; // llama.cpp reads such a line as a pair of empty strings, which
							// never merge
			}
			String left = merge.substring(0, space);
			String right = merge.substring(space + 1);
			merges.putIfAbsent(symbols.intern(left), symbols.intern(right), rank, symbols.intern(left + right));
		}
		extraSymbols = symbols.extra.toArray(new String[0]);
	}

	/** Token texts and, after them, the strings of merge results that are not tokens. */
	private final class SymbolTable {

		final Map<String, Integer> extraIds = new HashMap<>();

		final List<String> extra = new ArrayList<>();

		int intern(String text) {
			int id = table.id(text);
			if (id >= 0) {
				return id;
			}
			return extraIds.computeIfAbsent(text, t -> {
				extra.add(t);
				return table.size() + extra.size() - 1;
			});
		}

	}

	/**
	 * A normal byte-level token's bytes; characters outside the byte table are kept as
	 * UTF-8.
	 */
	static byte[] byteDecode(String tokenText) {
		byte[] out = new byte[tokenText.length() * 3];
		int n = 0;
		for (int i = 0; i < tokenText.length();) {
			int cp = tokenText.codePointAt(i);
			i += Character.charCount(cp);
			int b = ByteLevel.byteOf(cp);
			if (b >= 0) {
				out[n++] = (byte) b;
			}
			else {
				for (byte u : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
					out[n++] = u;
				}
			}
		}
		return Arrays.copyOf(out, n);
	}

	@Override
	void encodeText(String text, int start, int end, boolean afterSpecial, IntList out) {
		IntList wordEnds = new IntList(16);
		preTokenizer.split(text, start, end, wordEnds, new IntList(16));
		int wordStart = start;
		for (int w = 0; w < wordEnds.size(); w++) {
			int wordEnd = wordEnds.get(w);
			out.addAll(cache.get(text.substring(wordStart, wordEnd), this::merge));
			wordStart = wordEnd;
		}
	}

	private int[] merge(String word) {
		byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
		if (preTokenizer.wholeWordTokens()) {
			int id = table.id(ByteLevel.encode(bytes));
			if (id >= 0) {
				return new int[] { id };
			}
		}
		int n = bytes.length;
		int[] symbol = new int[n];
		int[] prev = new int[n];
		int[] next = new int[n];
		for (int i = 0; i < n; i++) {
			symbol[i] = byteSymbols[bytes[i] & 0xFF];
			prev[i] = i - 1;
			next[i] = i + 1 < n ? i + 1 : -1;
		}
		LongHeap queue = new LongHeap();
		for (int i = 0; i + 1 < n; i++) {
			offer(queue, symbol, i, i + 1);
		}
		while (!queue.isEmpty()) {
			long entry = queue.pop();
			int left = (int) entry;
			int right = next[left];
			if (symbol[left] < 0 || right < 0) {
				continue;
			}
			long merge = merges.find(symbol[left], symbol[right]);
			if (merge < 0 || (merge >>> 32) != (entry >>> 32)) {
				continue; // stale: the pair changed since it was queued
			}
			symbol[left] = (int) merge;
			symbol[right] = -1;
			next[left] = next[right];
			if (next[right] >= 0) {
				prev[next[right]] = left;
			}
			offer(queue, symbol, prev[left], left);
			offer(queue, symbol, left, next[left]);
		}
		IntList ids = new IntList(n);
		for (int i = 0; i >= 0 && i < n; i = next[i]) {
			emit(symbol[i], ids);
		}
		return ids.toArray();
	}

	private void offer(LongHeap queue, int[] symbol, int left, int right) {
		if (left < 0 || right < 0) {
			return;
		}
		long merge = merges.find(symbol[left], symbol[right]);
		if (merge >= 0) {
			queue.push((merge & 0xFFFFFFFF00000000L) | left);
		}
	}

	/**
	 * A token, or for a symbol that is no token the single-character tokens of its ASCII
	 * characters.
	 */
	private void emit(int symbol, IntList ids) {
		if (symbol < table.size()) {
			ids.add(symbol);
			return;
		}
		for (byte b : extraSymbols[symbol - table.size()].getBytes(StandardCharsets.UTF_8)) {
			int id = b >= 0 ? table.id(String.valueOf((char) b)) : -1;
			if (id >= 0) {
				ids.add(id);
			}
		}
	}

}
