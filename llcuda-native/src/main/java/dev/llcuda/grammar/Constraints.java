package dev.llcuda.grammar;

import dev.llcuda.tokenizer.Tokenizer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The token masks of grammars over one model's vocabulary: the vocabulary trie is built
 * on first use, and the masks of the last {@value #MAX_GRAMMARS} grammars are kept, so
 * requests under the same schema share their cached masks. Thread-safe.
 */
public final class Constraints {

	/** Grammars whose token masks are kept. */
	public static final int MAX_GRAMMARS = 64;

	private final Tokenizer tokenizer;

	private @Nullable TokenTrie trie;

	private final Map<Grammar, TokenMasks> masks = new LinkedHashMap<>(16, 0.75f, true) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<Grammar, TokenMasks> eldest) {
			return size() > MAX_GRAMMARS;
		}
	};

	public Constraints(Tokenizer tokenizer) {
		this.tokenizer = tokenizer;
	}

	public Tokenizer tokenizer() {
		return tokenizer;
	}

	/** The masks of {@code grammar} for {@code GenerationRequest.withConstraint}. */
	public synchronized TokenMasks masks(Grammar grammar) {
		if (trie == null) {
			byte[][] bytes = new byte[tokenizer.vocabSize()][];
			for (int id = 0; id < bytes.length; id++) {
				bytes[id] = tokenizer.tokenBytes(id);
			}
			trie = new TokenTrie(bytes, tokenizer.endOfGenerationIds());
		}
		TokenTrie vocabulary = trie;
		return masks.computeIfAbsent(grammar, g -> new TokenMasks(g, vocabulary));
	}

}
