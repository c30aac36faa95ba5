package dev.llcuda.hf;

import dev.llcuda.gguf.GgufWriter;
import dev.llcuda.tokenizer.TokenType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code tokenizer.json} (with {@code tokenizer_config.json} and
 * {@code generation_config.json}) as the {@code tokenizer.ggml.*} metadata llcuda's
 * tokenizers read. A BPE model with byte fallback (Llama 2, TinyLlama, Mistral) becomes
 * SentencePiece ({@code llama}): each merged token scores minus its merge rank, so the
 * score order is the merge order. A byte-level BPE model becomes {@code gpt2} with its
 * merges and the pre-tokenizer its split pattern names (Llama 3, Qwen2). Other models and
 * unknown split patterns are refused. The token list is padded to the embedding's rows
 * with unused {@code [PAD<id>]} tokens, as llama.cpp's converter pads it.
 */
final class HfTokenizer {

	/**
	 * Split patterns of byte-level BPE tokenizers and the {@code tokenizer.ggml.pre} each
	 * means.
	 */
	private static final Map<String, String> PRE_TOKENIZERS = Map.of(
			"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
			"llama-bpe",
			"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
			"qwen2");

	private final JsonObject tokenizer;

	private final JsonObject config;

	private final Optional<JsonObject> generation;

	private final JsonObject model;

	private final Map<Integer, String> texts = new HashMap<>();

	private final Map<Integer, TokenType> addedTypes = new HashMap<>();

	private final Map<String, Integer> ids = new HashMap<>();

	private HfTokenizer(JsonObject tokenizer, JsonObject config, Optional<JsonObject> generation) throws IOException {
		this.tokenizer = tokenizer;
		this.config = config;
		this.generation = generation;
		this.model = tokenizer.optObject("model").orElseThrow(() -> tokenizer.error("model", "is missing"));
	}

	/**
	 * Writes the tokenizer of {@code tokenizer} (a {@code tokenizer.json}) and
	 * {@code config} (its {@code tokenizer_config.json}), with {@code rows} tokens (the
	 * embedding's rows).
	 */
	static void write(GgufWriter writer, JsonObject tokenizer, JsonObject config, Optional<JsonObject> generation,
			Optional<JsonObject> modelConfig, int rows) throws IOException {
		new HfTokenizer(tokenizer, config, generation).write(writer, modelConfig, rows);
	}

	private void write(GgufWriter writer, Optional<JsonObject> modelConfig, int rows) throws IOException {
		String type = model.optString("type").orElse("");
		if (!type.equals("BPE")) {
			throw model.error("type",
					"is '" + type + "'; only BPE tokenizers (byte-level or with byte fallback) " + "are converted");
		}
		readVocabulary();
		int size = texts.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
		if (size > rows) {
			throw tokenizer.error("model",
					"has " + size + " tokens, more than the " + rows + " rows of the token embedding");
		}
		String[] tokens = new String[rows];
		int[] types = new int[rows];
		for (int id = 0; id < rows; id++) {
			String text = texts.get(id);
			tokens[id] = text != null ? text : "[PAD" + id + "]";
			types[id] = (text == null ? TokenType.UNUSED : addedTypes.getOrDefault(id, TokenType.NORMAL)).code();
		}
		Optional<Integer> unknown = model.optString("unk_token").map(ids::get);
		unknown.ifPresent(id -> types[id] = TokenType.UNKNOWN.code());
		List<String> merges = merges();
		boolean byteFallback = model.bool("byte_fallback", false);
		if (byteFallback) {
			writer.putString("tokenizer.ggml.model", "llama");
			writer.putStrings("tokenizer.ggml.tokens", tokens);
			writer.putFloat32s("tokenizer.ggml.scores", scores(tokens, merges));
			for (int id = 0; id < rows; id++) {
				if (types[id] == TokenType.NORMAL.code() && tokens[id].matches("<0x[0-9A-F]{2}>")) {
					types[id] = TokenType.BYTE.code();
				}
			}
			writer.putInt32s("tokenizer.ggml.token_type", types);
			writer.putBool("tokenizer.ggml.add_space_prefix", addsSpacePrefix());
		}
		else {
			writer.putString("tokenizer.ggml.model", "gpt2");
			writer.putString("tokenizer.ggml.pre", preTokenizer());
			writer.putStrings("tokenizer.ggml.tokens", tokens);
			writer.putInt32s("tokenizer.ggml.token_type", types);
			writer.putStrings("tokenizer.ggml.merges", merges.toArray(String[]::new));
		}
		if (unknown.isPresent()) {
			writer.putUint32("tokenizer.ggml.unknown_token_id", unknown.get());
		}
		specialId(writer, "bos", modelConfig);
		specialId(writer, "eos", modelConfig);
		specialId(writer, "pad", modelConfig);
		eot(writer);
		Optional<Boolean> addsBos = addsBos();
		if (addsBos.isPresent()) {
			writer.putBool("tokenizer.ggml.add_bos_token", addsBos.get());
		}
		if (config.has("add_eos_token")) {
			writer.putBool("tokenizer.ggml.add_eos_token", config.bool("add_eos_token", false));
		}
	}

	private void readVocabulary() throws IOException {
		JsonObject vocab = model.optObject("vocab").orElseThrow(() -> model.error("vocab", "is missing"));
		for (var entry : vocab.fields().entrySet()) {
			if (!(entry.getValue() instanceof Long id) || id < 0 || id > Integer.MAX_VALUE) {
				throw vocab.error(entry.getKey(), "has id " + entry.getValue() + ", expected a non-negative integer");
			}
			put(id.intValue(), entry.getKey(), vocab);
		}
		if (tokenizer.has("added_tokens")) {
			for (Object added : tokenizer.list("added_tokens")) {
				JsonObject token = JsonObject.of(tokenizer.source() + " added_tokens", added);
				int id = (int) Math.min(token.integer("id"), Integer.MAX_VALUE);
				String content = token.string("content");
				if (texts.containsKey(id) && !texts.get(id).equals(content)) {
					throw token.error("id",
							"= " + id + " is '" + texts.get(id) + "' in the vocabulary, not '" + content + "'");
				}
				put(id, content, token);
				addedTypes.put(id, token.bool("special", false) ? TokenType.CONTROL : TokenType.USER_DEFINED);
			}
		}
		for (int id = 0; id < texts.size(); id++) {
			if (!texts.containsKey(id)) {
				throw model.error("vocab",
						"has no token with id " + id + " (ids must be 0.." + (texts.size() - 1) + ")");
			}
		}
	}

	private void put(int id, String text, JsonObject source) throws IOException {
		String earlier = texts.putIfAbsent(id, text);
		if (earlier != null && !earlier.equals(text)) {
			throw source.error(text, "has id " + id + ", which is also '" + earlier + "'");
		}
		ids.putIfAbsent(text, id);
	}

	/**
	 * Merges as "left right", in rank order (tokenizer.json writes strings or, newer,
	 * pairs).
	 */
	private List<String> merges() throws IOException {
		List<String> merges = new ArrayList<>();
		if (!model.has("merges")) {
			return merges;
		}
		for (Object merge : model.list("merges")) {
			if (merge instanceof String s && s.indexOf(' ') > 0) {
				merges.add(s);
			}
			else if (merge instanceof List<?> pair && pair.size() == 2 && pair.get(0) instanceof String left
					&& pair.get(1) instanceof String right && !left.contains(" ") && !right.contains(" ")) {
				merges.add(left + " " + right);
			}
			else {
				throw model.error("merges",
						"entry " + merges.size() + " = " + merge + " is not a pair of space-free tokens");
			}
		}
		return merges;
	}

	/**
	 * Minus the merge rank of each token a merge produces; the others score below every
	 * merged token.
	 */
	private static float[] scores(String[] tokens, List<String> merges) {
		Map<String, Integer> rank = new HashMap<>();
		for (int r = 0; r < merges.size(); r++) {
			rank.putIfAbsent(merges.get(r).replace(" ", ""), r);
		}
		float[] scores = new float[tokens.length];
		for (int id = 0; id < tokens.length; id++) {
			Integer r = rank.get(tokens[id]);
			scores[id] = -(r != null ? r : merges.size() + id);
		}
		return scores;
	}

	/**
	 * A space is prepended as SentencePiece does: a {@code Prepend("▁")} normalizer or a
	 * Metaspace pre-tokenizer.
	 */
	private boolean addsSpacePrefix() throws IOException {
		for (JsonObject step : steps(tokenizer.optObject("normalizer"), "normalizers")) {
			if (step.optString("type").orElse("").equals("Prepend")
					&& step.optString("prepend").orElse("").equals("\u2581")) {
				return true;
			}
		}
		for (JsonObject step : steps(tokenizer.optObject("pre_tokenizer"), "pretokenizers")) {
			if (step.optString("type").orElse("").equals("Metaspace")) {
				return !step.optString("prepend_scheme").orElse("always").equals("never")
						&& step.bool("add_prefix_space", true);
			}
		}
		return false;
	}

	/**
	 * The {@code tokenizer.ggml.pre} of a byte-level pre-tokenizer: its split pattern, or
	 * GPT-2's own.
	 */
	private String preTokenizer() throws IOException {
		List<JsonObject> steps = steps(tokenizer.optObject("pre_tokenizer"), "pretokenizers");
		for (JsonObject step : steps) {
			String type = step.optString("type").orElse("");
			if (type.equals("Split")) {
				JsonObject pattern = step.optObject("pattern").orElseThrow(() -> step.error("pattern", "is missing"));
				String regex = pattern.optString("Regex").orElseThrow(() -> pattern.error("Regex", "is missing"));
				String pre = PRE_TOKENIZERS.get(regex);
				if (pre == null) {
					throw step.error("pattern",
							"Regex " + regex + " is not a split pattern llcuda knows " + "(known: Llama 3's, Qwen2's)");
				}
				return pre;
			}
			if (type.equals("ByteLevel") && step.bool("use_regex", true)) {
				return "gpt-2";
			}
		}
		throw tokenizer.error("pre_tokenizer", "is neither byte-level nor a split pattern (a BPE tokenizer "
				+ "without byte fallback must be byte-level)");
	}

	/** A normalizer or pre-tokenizer, or the steps of its Sequence. */
	private static List<JsonObject> steps(Optional<JsonObject> step, String listKey) throws IOException {
		if (step.isEmpty()) {
			return List.of();
		}
		if (!step.get().optString("type").orElse("").equals("Sequence")) {
			return List.of(step.get());
		}
		List<JsonObject> steps = new ArrayList<>();
		for (Object inner : step.get().list(listKey)) {
			steps.add(JsonObject.of(step.get().source() + " " + listKey, inner));
		}
		return steps;
	}

	/**
	 * {@code tokenizer.ggml.<name>_token_id}: the token {@code tokenizer_config.json}
	 * names as {@code <name>_token} (a string or an added-token object), else
	 * {@code config.json}'s {@code <name>_token_id}.
	 */
	private void specialId(GgufWriter writer, String name, Optional<JsonObject> modelConfig) throws IOException {
		Object value = config.raw(name + "_token");
		if (value instanceof Map<?, ?> object) {
			value = object.get("content");
		}
		String key = "tokenizer.ggml." + (name.equals("pad") ? "padding" : name) + "_token_id";
		if (value instanceof String text) {
			Integer id = ids.get(text);
			if (id == null) {
				throw config.error(name + "_token", "= '" + text + "' is not a token of the vocabulary");
			}
			writer.putUint32(key, id);
		}
		else if (modelConfig.isPresent() && modelConfig.get().raw(name + "_token_id") instanceof Long id) {
			writer.putUint32(key, id);
		}
	}

	/**
	 * The first id of generation_config's eos_token_id list that is not the eos token:
	 * the end of a turn.
	 */
	private void eot(GgufWriter writer) throws IOException {
		if (generation.isEmpty() || !(generation.get().raw("eos_token_id") instanceof List<?> list)) {
			return;
		}
		Object eos = config.raw("eos_token");
		if (eos instanceof Map<?, ?> object) {
			eos = object.get("content");
		}
		Integer eosId = eos instanceof String text ? ids.get(text) : null;
		for (Object id : list) {
			if (id instanceof Long l && (eosId == null || l.intValue() != eosId) && texts.containsKey(l.intValue())) {
				writer.putUint32("tokenizer.ggml.eot_token_id", l);
				return;
			}
		}
	}

	/**
	 * {@code add_bos_token} of tokenizer_config.json, else whether the post-processor
	 * puts the BOS token first; empty when neither says (the tokenizer model's default
	 * then applies, as with llama.cpp's converter).
	 */
	private Optional<Boolean> addsBos() throws IOException {
		if (config.has("add_bos_token")) {
			return Optional.of(config.bool("add_bos_token", false));
		}
		Optional<JsonObject> post = tokenizer.optObject("post_processor");
		List<JsonObject> steps = steps(post, "processors");
		Object bos = config.raw("bos_token");
		if (bos instanceof Map<?, ?> object) {
			bos = object.get("content");
		}
		for (JsonObject step : steps) {
			if (step.optString("type").orElse("").equals("TemplateProcessing") && step.has("single")
					&& !step.list("single").isEmpty() && step.list("single").get(0) instanceof Map<?, ?> first
					&& first.get("SpecialToken") instanceof Map<?, ?> special) {
				return Optional.of(bos == null || bos.equals(special.get("id")));
			}
		}
		return Optional.empty();
	}

}
