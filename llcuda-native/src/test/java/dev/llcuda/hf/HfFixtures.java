package dev.llcuda.hf;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufMetadata;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.safetensors.SafetensorsWriter;
import dev.llcuda.template.Json;
import dev.llcuda.tokenizer.TokenType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a GGUF model into the Hugging Face model directory it would have come from, the
 * way Hugging Face stores it: HF tensor names, llama's q/k rows in HF's half-split RoPE
 * order (llama.cpp's permutation undone), matrices in the chosen dtype,
 * {@code config.json}, {@code tokenizer.json} (SentencePiece vocabularies as BPE with
 * byte fallback and merges ordered by score, as transformers' converter writes them;
 * byte-level vocabularies with their merges and split pattern) and
 * {@code tokenizer_config.json}.
 */
public final class HfFixtures {

	private static final String QWEN2_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

	private static final String LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

	private final NativeLibrary library;

	public HfFixtures(NativeLibrary library) {
		this.library = library;
	}

	/**
	 * Writes {@code gguf} as a model directory {@code dir} with matrices in {@code dtype}
	 * (F32, F16 or BF16; vectors stay F32 as HF keeps norms in the model's dtype too,
	 * which F32 covers exactly) over {@code shards} files (more than one: with
	 * {@code model.safetensors.index.json}).
	 */
	public Path write(Path gguf, Path dir, GgmlType dtype, int shards) throws IOException {
		Files.createDirectories(dir);
		try (GgufFile file = GgufFile.open(gguf)) {
			GgufMetadata m = file.metadata();
			String arch = m.requireString("general.architecture");
			writeConfig(file, arch, dir);
			writeTokenizer(m, dir);
			List<SafetensorsWriter> writers = new ArrayList<>();
			for (int i = 0; i < shards; i++) {
				writers.add(new SafetensorsWriter().metadata("format", "pt"));
			}
			Map<String, String> weightMap = new LinkedHashMap<>();
			int index = 0;
			for (TensorInfo t : file.tensors()) {
				String hfName = hfName(t.name());
				float[] values = floats(file, t);
				long rows = t.dim(1);
				if (arch.equals("llama")
						&& (t.name().endsWith("attn_q.weight") || t.name().endsWith("attn_k.weight"))) {
					int heads = (int) m.requireInteger(
							"llama.attention.head_count" + (t.name().endsWith("attn_k.weight") ? "_kv" : ""));
					values = halfSplit(values, (int) rows, (int) t.dim(0), heads);
				}
				long[] shape = t.rank() == 1 ? new long[] { t.dim(0) } : new long[] { rows, t.dim(0) };
				GgmlType type = t.rank() == 1 ? GgmlType.F32 : dtype;
				int shard = index++ % shards;
				writers.get(shard).add(hfName, type.name(), shape, encode(values, type));
				weightMap.put(hfName, shardName(shard, shards));
			}
			for (int i = 0; i < shards; i++) {
				writers.get(i).write(dir.resolve(shardName(i, shards)));
			}
			if (shards > 1) {
				Files.writeString(dir.resolve("model.safetensors.index.json"),
						Json.write(Map.of("metadata", Map.of("total_size", 0L), "weight_map", weightMap)));
			}
		}
		return dir;
	}

	private static String shardName(int shard, int shards) {
		return shards == 1 ? "model.safetensors" : String.format("model-%05d-of-%05d.safetensors", shard + 1, shards);
	}

	/**
	 * HF row (head, half i, pair j) holds GGUF row (head, 2j + i): llama.cpp's
	 * permutation undone.
	 */
	static float[] halfSplit(float[] values, int rows, int rowLength, int heads) {
		float[] out = new float[values.length];
		int headRows = rows / heads;
		int half = headRows / 2;
		for (int h = 0; h < heads; h++) {
			for (int i = 0; i < 2; i++) {
				for (int j = 0; j < half; j++) {
					int hfRow = h * headRows + i * half + j;
					int ggufRow = h * headRows + 2 * j + i;
					System.arraycopy(values, ggufRow * rowLength, out, hfRow * rowLength, rowLength);
				}
			}
		}
		return out;
	}

	private float[] floats(GgufFile file, TensorInfo t) {
		ByteBuffer data = file.tensorData(t);
		if (t.type() == GgmlType.F32) {
			float[] values = new float[(int) t.elementCount()];
			data.asFloatBuffer().get(values);
			return values;
		}
		byte[] bytes = new byte[(int) t.byteSize()];
		data.get(bytes);
		return library.dequantize(t.type().id(), bytes, (int) t.elementCount());
	}

	private byte[] encode(float[] values, GgmlType type) {
		if (type == GgmlType.F32) {
			ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
			bytes.asFloatBuffer().put(values);
			return bytes.array();
		}
		byte[] out = new byte[(int) type.byteSize(values.length)];
		library.quantize(type.id(), values, out);
		return out;
	}

	/**
	 * The HF name of a GGUF tensor (the inverse of llama.cpp's converter's table, written
	 * out independently).
	 */
	static String hfName(String gguf) {
		Map<String, String> global = Map.of("token_embd.weight", "model.embed_tokens.weight", "output_norm.weight",
				"model.norm.weight", "output.weight", "lm_head.weight");
		if (global.containsKey(gguf)) {
			return global.get(gguf);
		}
		String[] parts = gguf.split("\\.", 3);
		String suffix = switch (parts[2]) {
			case "attn_norm.weight" -> "input_layernorm.weight";
			case "attn_q.weight" -> "self_attn.q_proj.weight";
			case "attn_k.weight" -> "self_attn.k_proj.weight";
			case "attn_v.weight" -> "self_attn.v_proj.weight";
			case "attn_q.bias" -> "self_attn.q_proj.bias";
			case "attn_k.bias" -> "self_attn.k_proj.bias";
			case "attn_v.bias" -> "self_attn.v_proj.bias";
			case "attn_q_norm.weight" -> "self_attn.q_norm.weight";
			case "attn_k_norm.weight" -> "self_attn.k_norm.weight";
			case "attn_output.weight" -> "self_attn.o_proj.weight";
			case "ffn_norm.weight" -> "post_attention_layernorm.weight";
			case "ffn_gate.weight" -> "mlp.gate_proj.weight";
			case "ffn_up.weight" -> "mlp.up_proj.weight";
			case "ffn_down.weight" -> "mlp.down_proj.weight";
			default -> throw new IllegalArgumentException("no HF name for " + gguf);
		};
		return "model.layers." + parts[1] + "." + suffix;
	}

	private static void writeConfig(GgufFile file, String arch, Path dir) throws IOException {
		GgufMetadata m = file.metadata();
		String p = arch + ".";
		Map<String, Object> config = new LinkedHashMap<>();
		config.put("architectures", List.of(switch (arch) {
			case "llama" -> "LlamaForCausalLM";
			case "qwen2" -> "Qwen2ForCausalLM";
			case "qwen3" -> "Qwen3ForCausalLM";
			default -> throw new IllegalArgumentException(arch);
		}));
		config.put("hidden_act", "silu");
		config.put("hidden_size", m.requireInteger(p + "embedding_length"));
		config.put("intermediate_size", m.requireInteger(p + "feed_forward_length"));
		config.put("num_hidden_layers", m.requireInteger(p + "block_count"));
		config.put("num_attention_heads", m.requireInteger(p + "attention.head_count"));
		config.put("num_key_value_heads", m.requireInteger(p + "attention.head_count_kv"));
		config.put("max_position_embeddings", m.requireInteger(p + "context_length"));
		config.put("rms_norm_eps", m.requireReal(p + "attention.layer_norm_rms_epsilon"));
		config.put("rope_theta", m.real(p + "rope.freq_base").orElse(10000.0));
		config.put("vocab_size", (long) m.stringArray("tokenizer.ggml.tokens").length);
		config.put("tie_word_embeddings", file.tensor("output.weight").isEmpty());
		config.put("torch_dtype", "float32");
		Files.writeString(dir.resolve("config.json"), Json.write(config));
	}

	/**
	 * Writes {@code tokenizer.json} and {@code tokenizer_config.json} of a GGUF file's
	 * vocabulary into {@code dir}.
	 */
	static void writeTokenizer(GgufMetadata m, Path dir) throws IOException {
		String[] tokens = m.stringArray("tokenizer.ggml.tokens");
		int[] types = m.intArray("tokenizer.ggml.token_type");
		Map<String, Object> vocab = new LinkedHashMap<>();
		List<Object> added = new ArrayList<>();
		boolean spm = m.requireString("tokenizer.ggml.model").equals("llama");
		for (int id = 0; id < tokens.length; id++) {
			boolean control = TokenType.fromCode(types[id]) == TokenType.CONTROL;
			if (spm || !control) {
				vocab.put(tokens[id], (long) id);
			}
			if (control || TokenType.fromCode(types[id]) == TokenType.UNKNOWN) {
				added.add(Map.of("id", (long) id, "content", tokens[id], "special", true));
			}
		}
		Map<String, Object> model = new LinkedHashMap<>();
		model.put("type", "BPE");
		Map<String, Object> tokenizer = new LinkedHashMap<>();
		tokenizer.put("version", "1.0");
		tokenizer.put("added_tokens", added);
		if (spm) {
			model.put("unk_token", tokens[(int) m.requireInteger("tokenizer.ggml.unknown_token_id")]);
			model.put("byte_fallback", true);
			model.put("vocab", vocab);
			model.put("merges", spmMerges(tokens, m.floatArray("tokenizer.ggml.scores"), types));
			tokenizer.put("normalizer",
					Map.of("type", "Sequence", "normalizers", List.of(Map.of("type", "Prepend", "prepend", "\u2581"),
							Map.of("type", "Replace", "pattern", Map.of("String", " "), "content", "\u2581"))));
		}
		else {
			model.put("byte_fallback", false);
			model.put("vocab", vocab);
			model.put("merges", List.of(m.stringArray("tokenizer.ggml.merges")));
			String pre = m.string("tokenizer.ggml.pre").orElse("");
			tokenizer.put("pre_tokenizer", pre.equals("gpt-2")
					? Map.of("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", true, "use_regex", true)
					: Map.of("type", "Sequence", "pretokenizers",
							List.of(Map.of("type", "Split", "pattern", Map.of("Regex", splitPattern(pre)), "behavior",
									"Isolated", "invert", false),
									Map.of("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", false,
											"use_regex", false))));
		}
		tokenizer.put("model", model);
		Files.writeString(dir.resolve("tokenizer.json"), Json.write(tokenizer));

		Map<String, Object> config = new LinkedHashMap<>();
		m.integer("tokenizer.ggml.bos_token_id").ifPresent(id -> config.put("bos_token", tokens[(int) id]));
		m.integer("tokenizer.ggml.eos_token_id").ifPresent(id -> config.put("eos_token", tokens[(int) id]));
		// transformers' Llama (SentencePiece) tokenizer config always states
		// add_bos_token, true by default
		m.bool("tokenizer.ggml.add_bos_token")
			.or(() -> spm ? Optional.of(true) : Optional.empty())
			.ifPresent(add -> config.put("add_bos_token", add));
		m.bool("tokenizer.ggml.add_eos_token").ifPresent(add -> config.put("add_eos_token", add));
		m.string("tokenizer.chat_template").ifPresent(template -> config.put("chat_template", template));
		Files.writeString(dir.resolve("tokenizer_config.json"), Json.write(config));
	}

	private static String splitPattern(String pre) {
		return switch (pre) {
			case "qwen2" -> QWEN2_SPLIT;
			case "llama-bpe" -> LLAMA3_SPLIT;
			default -> throw new IllegalArgumentException("no split pattern for pre-tokenizer " + pre);
		};
	}

	/**
	 * Merges of a SentencePiece vocabulary as transformers' converter derives them: every
	 * split of a normal piece into two pieces of the vocabulary, ordered by the merged
	 * piece's score (best first), then by the left and right pieces' ids.
	 */
	private static List<String> spmMerges(String[] tokens, float[] scores, int[] types) {
		Map<String, Integer> ids = new HashMap<>();
		for (int id = 0; id < tokens.length; id++) {
			ids.putIfAbsent(tokens[id], id);
		}
		record Merge(String left, String right, int merged) {
		}
		List<Merge> merges = new ArrayList<>();
		for (int id = 0; id < tokens.length; id++) {
			if (TokenType.fromCode(types[id]) != TokenType.NORMAL) {
				continue;
			}
			String piece = tokens[id];
			for (int k = piece.offsetByCodePoints(0, 1); k < piece.length(); k = piece.offsetByCodePoints(k, 1)) {
				Integer left = ids.get(piece.substring(0, k));
				Integer right = ids.get(piece.substring(k));
				if (left != null && right != null) {
					merges.add(new Merge(piece.substring(0, k), piece.substring(k), id));
				}
			}
		}
		merges.sort(Comparator.<Merge>comparingDouble(x -> -scores[x.merged()])
			.thenComparingInt(x -> ids.get(x.left()))
			.thenComparingInt(x -> ids.get(x.right())));
		return merges.stream().map(x -> x.left() + " " + x.right()).toList();
	}

}
