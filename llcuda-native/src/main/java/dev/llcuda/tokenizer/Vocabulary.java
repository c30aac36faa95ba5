package dev.llcuda.tokenizer;

import dev.llcuda.gguf.GgufFormatException;
import dev.llcuda.gguf.GgufMetadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A tokenizer's data as a GGUF file stores it under {@code tokenizer.ggml.*}.
 *
 * @param model {@code tokenizer.ggml.model}: {@code llama} (SentencePiece), {@code gpt2}
 * (byte-level BPE) or {@code bert} (WordPiece)
 * @param preTokenizer {@code tokenizer.ggml.pre}, empty for the default
 * @param name {@code general.name}, empty if absent (llama.cpp keys a few token
 * attributes on it)
 * @param tokens token texts, indexed by id
 * @param scores SentencePiece scores per token, or an empty array when the file has none
 * @param types token types per token, or an empty list when the file has none (all
 * normal)
 * @param merges BPE merges in rank order, each "left right"; empty for other models
 * @param specialIds special token ids from metadata
 * @param addBos {@code tokenizer.ggml.add_bos_token}, empty if absent
 * @param addEos {@code tokenizer.ggml.add_eos_token}, empty if absent
 * @param addSpacePrefix {@code tokenizer.ggml.add_space_prefix}, empty if absent
 */
public record Vocabulary(String model, String preTokenizer, String name, List<String> tokens, float[] scores,
		List<TokenType> types, List<String> merges, SpecialTokenIds specialIds, Optional<Boolean> addBos,
		Optional<Boolean> addEos, Optional<Boolean> addSpacePrefix) {

	/**
	 * The most tokens a vocabulary may have: eight times the largest in use (Gemma's
	 * 262,144), so that a file cannot make the tokenizer's tables take unbounded memory.
	 */
	public static final int MAX_VOCABULARY_SIZE = 1 << 21;

	/**
	 * The longest token, in UTF-8 bytes: 64 times the longest of the vocabularies in use
	 * (MPT's run of 1,024 spaces). Set-up is linear in the token bytes, but longer tokens
	 * only serve to slow it down.
	 */
	public static final int MAX_TOKEN_BYTES = 1 << 16;

	public Vocabulary {
		tokens = List.copyOf(tokens);
		types = List.copyOf(types);
		merges = List.copyOf(merges);
		scores = scores.clone();
		if (tokens.isEmpty()) {
			throw new IllegalArgumentException("the vocabulary has no tokens");
		}
		if (tokens.size() > MAX_VOCABULARY_SIZE) {
			throw new IllegalArgumentException("the vocabulary has " + tokens.size() + " tokens, more than the limit "
					+ "MAX_VOCABULARY_SIZE = " + MAX_VOCABULARY_SIZE);
		}
		for (int id = 0; id < tokens.size(); id++) {
			long bytes = Utf8.encodedLength(tokens.get(id));
			if (bytes > MAX_TOKEN_BYTES) {
				throw new IllegalArgumentException("token " + id + " is " + bytes + " bytes long, more than the limit "
						+ "MAX_TOKEN_BYTES = " + MAX_TOKEN_BYTES);
			}
		}
		if (scores.length != 0 && scores.length < tokens.size()) {
			throw new IllegalArgumentException(
					"tokenizer.ggml.scores has " + scores.length + " entries for " + tokens.size() + " tokens");
		}
		if (!types.isEmpty() && types.size() < tokens.size()) {
			throw new IllegalArgumentException(
					"tokenizer.ggml.token_type has " + types.size() + " entries for " + tokens.size() + " tokens");
		}
	}

	/**
	 * Reads the {@code tokenizer.ggml.*} keys (and {@code general.name}).
	 * @throws GgufFormatException if the tokens or the model are missing, a key has the
	 * wrong type, the per-token arrays are shorter than the token list, or the vocabulary
	 * exceeds {@link #MAX_VOCABULARY_SIZE} or {@link #MAX_TOKEN_BYTES}
	 */
	public static Vocabulary fromGguf(GgufMetadata metadata) throws GgufFormatException {
		String[] tokens = metadata.stringArray("tokenizer.ggml.tokens");
		String model = metadata.requireString("tokenizer.ggml.model");
		float[] scores = metadata.contains("tokenizer.ggml.scores") ? metadata.floatArray("tokenizer.ggml.scores")
				: new float[0];
		int[] typeCodes = metadata.contains("tokenizer.ggml.token_type")
				? metadata.intArray("tokenizer.ggml.token_type") : new int[0];
		String[] merges = metadata.contains("tokenizer.ggml.merges") ? metadata.stringArray("tokenizer.ggml.merges")
				: new String[0];
		List<TokenType> types = new ArrayList<>(typeCodes.length);
		for (int code : typeCodes) {
			types.add(TokenType.fromCode(code));
		}
		SpecialTokenIds ids = new SpecialTokenIds(id(metadata, "bos"), id(metadata, "eos"), id(metadata, "unknown"),
				id(metadata, "seperator") /* sic: llama.cpp's key */, id(metadata, "padding"), id(metadata, "eot"),
				id(metadata, "eom"));
		try {
			return new Vocabulary(model, optionalString(metadata, "tokenizer.ggml.pre").orElse(""),
					optionalString(metadata, "general.name").orElse(""), Arrays.asList(tokens), scores, types,
					Arrays.asList(merges), ids, flag(metadata, "tokenizer.ggml.add_bos_token"),
					flag(metadata, "tokenizer.ggml.add_eos_token"), flag(metadata, "tokenizer.ggml.add_space_prefix"));
		}
		catch (IllegalArgumentException e) {
			throw new GgufFormatException(metadata.path(),
					metadata.offset("tokenizer.ggml.tokens").orElse(GgufFormatException.NO_OFFSET), e.getMessage());
		}
	}

	/**
	 * {@code tokenizer.ggml.<name>_token_id}; ids that do not fit an int are treated as
	 * absent, as llama.cpp does.
	 */
	private static OptionalInt id(GgufMetadata metadata, String name) throws GgufFormatException {
		String key = "tokenizer.ggml." + name + "_token_id";
		if (!metadata.contains(key)) {
			return OptionalInt.empty();
		}
		long id = metadata.requireInteger(key);
		return id >= 0 && id <= Integer.MAX_VALUE ? OptionalInt.of((int) id) : OptionalInt.empty();
	}

	private static Optional<String> optionalString(GgufMetadata metadata, String key) throws GgufFormatException {
		return metadata.contains(key) ? Optional.of(metadata.requireString(key)) : Optional.empty();
	}

	private static Optional<Boolean> flag(GgufMetadata metadata, String key) throws GgufFormatException {
		return metadata.contains(key) ? Optional.of(metadata.requireBool(key)) : Optional.empty();
	}

	/** A copy: the record's array stays unchanged. */
	@Override
	public float[] scores() {
		return scores.clone();
	}

	public int size() {
		return tokens.size();
	}

	public float score(int id) {
		return scores.length == 0 ? 0f : scores[id];
	}

	public TokenType type(int id) {
		return types.isEmpty() ? TokenType.NORMAL : types.get(id);
	}

	/**
	 * {@code id} if it names a token of this vocabulary, else empty (llama.cpp ignores
	 * bad special ids).
	 */
	OptionalInt checked(OptionalInt id) {
		return id.isPresent() && id.getAsInt() >= 0 && id.getAsInt() < tokens.size() ? id : OptionalInt.empty();
	}
}
