package dev.llcuda.tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * The token texts of a vocabulary with a reverse index, the effective token types and the
 * resolved special tokens: metadata first, then llama.cpp's defaults for the tokenizer
 * model.
 */
final class TokenTable {

	/**
	 * Texts that mark the end of a turn or of generation in common vocabularies
	 * (llama.cpp's list).
	 */
	private static final Set<String> END_OF_GENERATION_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>",
			"<end_of_turn>", "<|endoftext|>", "</s>", "<eos>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>",
			"<end_of_utterance>", "<｜end▁of▁sentence｜>");

	/**
	 * Texts that name the end-of-turn token when metadata has no {@code eot_token_id}.
	 */
	private static final List<String> END_OF_TURN_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>",
			"<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "<end_of_utterance>",
			"<｜end▁of▁sentence｜>");

	private final String[] texts;

	private final Map<String, Integer> ids;

	private final TokenType[] types;

	private final OptionalInt bos;

	private final OptionalInt eos;

	private final OptionalInt unknown;

	private final OptionalInt separator;

	private final Set<Integer> endOfGeneration;

	private final boolean addBos;

	private final boolean addEos;

	private final boolean addSpacePrefix;

	private final List<Integer> specialTokens;

	private final boolean rightStripSpecial;

	TokenTable(Vocabulary vocabulary, ModelDefaults defaults) {
		int n = vocabulary.size();
		texts = new String[n];
		types = new TokenType[n];
		ids = new HashMap<>(n * 2);
		for (int id = 0; id < n; id++) {
			String text = vocabulary.tokens().get(id);
			// llama.cpp renames empty tokens so that every text is unique and non-empty
			texts[id] = text.isEmpty() ? "[EMPTY_" + id + "]" : text;
			types[id] = vocabulary.type(id);
			ids.put(texts[id], id); // a later duplicate wins, as in llama.cpp
		}
		SpecialTokenIds declared = vocabulary.specialIds();
		bos = orDefault(vocabulary.checked(declared.bos()), defaults.bos());
		eos = orDefault(vocabulary.checked(declared.eos()), defaults.eos());
		unknown = orDefault(vocabulary.checked(declared.unknown()), defaults.unknown());
		separator = orDefault(vocabulary.checked(declared.separator()), defaults.separator());
		addBos = vocabulary.addBos().orElse(defaults.addBos()) && bos.isPresent();
		addEos = vocabulary.addEos().orElse(defaults.addEos()) && eos.isPresent();
		addSpacePrefix = vocabulary.addSpacePrefix().orElse(defaults.addSpacePrefix());
		endOfGeneration = endOfGeneration(vocabulary);
		specialTokens = specialTokensLongestFirst();
		String name = vocabulary.name().toLowerCase(Locale.ROOT);
		// llama.cpp strips the whitespace after Phi-3's special tokens (the model was
		// trained that way)
		rightStripSpecial = name.contains("phi-3") || name.contains("phi3");
	}

	private OptionalInt orDefault(OptionalInt declared, int fallback) {
		if (declared.isPresent()) {
			return declared;
		}
		return fallback >= 0 && fallback < texts.length ? OptionalInt.of(fallback) : OptionalInt.empty();
	}

	private Set<Integer> endOfGeneration(Vocabulary vocabulary) {
		Set<Integer> result = new TreeSet<>();
		for (int id = 0; id < texts.length; id++) {
			if (END_OF_GENERATION_TEXTS.contains(texts[id])) {
				result.add(id);
				types[id] = TokenType.CONTROL; // llama.cpp treats these as control tokens
												// whatever the file says
			}
		}
		eos.ifPresent(result::add);
		endOfTurn(vocabulary).ifPresent(result::add);
		vocabulary.checked(vocabulary.specialIds().endOfMessage()).ifPresent(result::add);
		return Collections.unmodifiableSet(result);
	}

	private OptionalInt endOfTurn(Vocabulary vocabulary) {
		OptionalInt declared = vocabulary.checked(vocabulary.specialIds().endOfTurn());
		if (declared.isPresent()) {
			return declared;
		}
		for (String text : END_OF_TURN_TEXTS) {
			Integer id = ids.get(text);
			if (id != null) {
				return OptionalInt.of(id);
			}
		}
		return OptionalInt.empty();
	}

	/**
	 * Tokens matched as a whole in the text before tokenizing, longest (in UTF-8 bytes)
	 * first.
	 */
	private List<Integer> specialTokensLongestFirst() {
		List<Integer> special = new ArrayList<>();
		for (int id = 0; id < texts.length; id++) {
			if (types[id] == TokenType.CONTROL || types[id] == TokenType.USER_DEFINED
					|| types[id] == TokenType.UNKNOWN) {
				special.add(id);
			}
		}
		Map<Integer, Long> bytes = new HashMap<>();
		special.forEach(id -> bytes.put(id, Utf8.encodedLength(texts[id]))); // once per
																				// token,
																				// not per
																				// comparison
		special.sort(Comparator.comparingLong((Integer id) -> -Objects.requireNonNull(bytes.get(id)))
			.thenComparingInt(id -> id));
		return List.copyOf(special);
	}

	int size() {
		return texts.length;
	}

	String text(int id) {
		return texts[id];
	}

	TokenType type(int id) {
		return types[id];
	}

	/** The id of the token spelled {@code text}, or -1. */
	int id(String text) {
		Integer id = ids.get(text);
		return id == null ? -1 : id;
	}

	OptionalInt bos() {
		return bos;
	}

	OptionalInt eos() {
		return eos;
	}

	OptionalInt unknown() {
		return unknown;
	}

	OptionalInt separator() {
		return separator;
	}

	Set<Integer> endOfGeneration() {
		return endOfGeneration;
	}

	boolean addBos() {
		return addBos;
	}

	boolean addEos() {
		return addEos;
	}

	boolean addSpacePrefix() {
		return addSpacePrefix;
	}

	List<Integer> specialTokens() {
		return specialTokens;
	}

	/**
	 * Whether whitespace after this special token is dropped from the text that follows
	 * it.
	 */
	boolean stripsRight(int id) {
		if (!rightStripSpecial) {
			return false;
		}
		String text = texts[id];
		return !(text.equals("<unk>") || text.equals("<s>") || text.equals("<|endoftext|>"));
	}

}
