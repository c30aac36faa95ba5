package dev.llcuda.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The vocabulary's byte strings as a trie, built once per tokenizer: tokens sharing a
 * prefix share its nodes, so a walk against a grammar state tests each prefix once and
 * drops a whole subtree at the first byte the grammar refuses. Tokens that spell nothing
 * (control tokens) are not in it.
 */
public final class TokenTrie {

	private final byte[][] tokenBytes;

	private final int vocabSize;

	private final int[] endOfGeneration;

	// node n: children childBytes/childNodes[childStart[n] .. childStart[n + 1]); tokens
	// ending at n:
	// tokenIds[tokenStart[n] .. tokenStart[n + 1])
	private final int[] childStart;

	private final byte[] childBytes;

	private final int[] childNodes;

	private final int[] tokenStart;

	private final int[] tokenIds;

	/**
	 * @param tokenBytes the bytes each token adds to the output
	 * @param endOfGeneration tokens that end generation (allowed when the grammar
	 * accepts)
	 */
	public TokenTrie(byte[][] tokenBytes, Set<Integer> endOfGeneration) {
		this.tokenBytes = tokenBytes.clone();
		this.vocabSize = tokenBytes.length;
		this.endOfGeneration = endOfGeneration.stream().mapToInt(Integer::intValue).sorted().toArray();
		for (int id : this.endOfGeneration) {
			if (id < 0 || id >= vocabSize) {
				throw new IllegalArgumentException(
						"end-of-generation token " + id + " outside the vocabulary of " + vocabSize);
			}
		}
		Builder b = new Builder();
		for (int id = 0; id < tokenBytes.length; id++) {
			if (tokenBytes[id].length > 0 && Arrays.binarySearch(this.endOfGeneration, id) < 0) {
				b.insert(tokenBytes[id], id);
			}
		}
		int n = b.children.size();
		childStart = new int[n + 1];
		tokenStart = new int[n + 1];
		for (int i = 0; i < n; i++) {
			childStart[i + 1] = childStart[i] + b.children.get(i).size();
			tokenStart[i + 1] = tokenStart[i] + b.tokens.get(i).size();
		}
		childBytes = new byte[childStart[n]];
		childNodes = new int[childStart[n]];
		tokenIds = new int[tokenStart[n]];
		for (int i = 0; i < n; i++) {
			List<int[]> kids = b.children.get(i);
			kids.sort((x, y) -> Integer.compare(x[0], y[0]));
			for (int k = 0; k < kids.size(); k++) {
				childBytes[childStart[i] + k] = (byte) kids.get(k)[0];
				childNodes[childStart[i] + k] = kids.get(k)[1];
			}
			for (int k = 0; k < b.tokens.get(i).size(); k++) {
				tokenIds[tokenStart[i] + k] = b.tokens.get(i).get(k);
			}
		}
	}

	public int vocabSize() {
		return vocabSize;
	}

	byte[] tokenBytes(int id) {
		return tokenBytes[id];
	}

	int[] endOfGeneration() {
		return endOfGeneration;
	}

	/** Sets the bit of every token whose bytes take {@code state} to a live state. */
	void allowed(MatchState state, int[] mask) {
		walk(0, state, mask);
	}

	private void walk(int node, MatchState state, int[] mask) {
		for (int c = childStart[node]; c < childStart[node + 1]; c++) {
			MatchState next = state.advance(childBytes[c] & 0xFF);
			if (next == null) {
				continue;
			}
			int child = childNodes[c];
			for (int t = tokenStart[child]; t < tokenStart[child + 1]; t++) {
				mask[tokenIds[t] >>> 5] |= 1 << (tokenIds[t] & 31);
			}
			walk(child, next, mask);
		}
	}

	/** Children and tokens per node while inserting. */
	private static final class Builder {

		final List<List<int[]>> children = new ArrayList<>();

		final List<List<Integer>> tokens = new ArrayList<>();

		Builder() {
			node();
		}

		private int node() {
			children.add(new ArrayList<>());
			tokens.add(new ArrayList<>());
			return children.size() - 1;
		}

		void insert(byte[] bytes, int id) {
			int n = 0;
			for (byte value : bytes) {
				int b = value & 0xFF;
				int next = -1;
				for (int[] kid : children.get(n)) {
					if (kid[0] == b) {
						next = kid[1];
						break;
					}
				}
				if (next < 0) {
					next = node();
					children.get(n).add(new int[] { b, next });
				}
				n = next;
			}
			tokens.get(n).add(id);
		}

	}

}
