package dev.llcuda.tokenizer;

import java.util.Arrays;

/**
 * The token texts as a trie of UTF-16 units, read forwards or backwards. One walk along a
 * text finds every token that is a prefix (backwards: a suffix) of it, so work stays
 * linear in the length of the texts where looking up each prefix as a string would be
 * quadratic.
 */
final class TokenTrie {

	private static final int ROOT = 0;

	private final boolean backwards;

	/** Edges: (node, UTF-16 unit) to child node. */
	private final MergeTable edges;

	/** The token each node spells, -1 where none. */
	private int[] tokenAt = new int[64];

	private int nodes = 1;

	/**
	 * A trie of every token of {@code table}; duplicate texts resolve to the id
	 * {@link TokenTable#id} gives.
	 */
	TokenTrie(TokenTable table, boolean backwards) {
		this.backwards = backwards;
		this.edges = new MergeTable(table.size());
		Arrays.fill(tokenAt, -1);
		for (int id = 0; id < table.size(); id++) {
			String text = table.text(id);
			int node = ROOT;
			for (int i = 0; i < text.length(); i++) {
				node = childOrNew(node, unit(text, i));
			}
			tokenAt[node] = table.id(text);
		}
	}

	private char unit(String text, int i) {
		return backwards ? text.charAt(text.length() - 1 - i) : text.charAt(i);
	}

	private int childOrNew(int node, char c) {
		int child = child(node, c);
		if (child >= 0) {
			return child;
		}
		if (nodes == tokenAt.length) {
			tokenAt = Arrays.copyOf(tokenAt, nodes * 2);
			Arrays.fill(tokenAt, nodes, tokenAt.length, -1);
		}
		edges.putIfAbsent(node, c, 0, nodes);
		return nodes++;
	}

	private int child(int node, char c) {
		long found = edges.find(node, c);
		return found < 0 ? -1 : (int) found;
	}

	/**
	 * Walks {@code text[start, end)} from its start (backwards: from its end) and sets
	 * {@code ids[n]} to the token spelled by the first (last) {@code n} units, or -1, for
	 * {@code n} from 0 up to the returned count of units walked; no token is longer than
	 * that. Costs O(returned count).
	 */
	int tokensAlong(String text, int start, int end, int[] ids) {
		ids[0] = -1;
		int node = ROOT;
		int n = 0;
		while (n < end - start) {
			int next = child(node, backwards ? text.charAt(end - 1 - n) : text.charAt(start + n));
			if (next < 0) {
				break;
			}
			node = next;
			ids[++n] = tokenAt[node];
		}
		return n;
	}

}
