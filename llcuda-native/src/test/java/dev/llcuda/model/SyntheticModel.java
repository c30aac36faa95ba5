package dev.llcuda.model;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufValue;
import dev.llcuda.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A small llama, qwen2, qwen3, gemma2, gemma3, phi3 or qwen3moe GGUF (or a llama with
 * experts) with zero weights for testing metadata and tensor-table checks; each tensor's
 * type and shape, and each key, can be replaced or left out.
 */
final class SyntheticModel {

	record Tensor(GgmlType type, long... dims) {
	}

	final String arch;

	final int embd = 64;

	final int layers = 2;

	final int heads = 4;

	final int kvHeads = 2;

	final int headSize = 16;

	final int feedForward = 96;

	final int vocab = 20;

	final int expertWidth = 32;

	private int experts;

	private final Map<String, GgufValue> metadata = new LinkedHashMap<>();

	private final Map<String, Tensor> replaced = new HashMap<>();

	private final Set<String> omitted = new HashSet<>();

	private final Map<String, Tensor> added = new LinkedHashMap<>();

	SyntheticModel(String arch) {
		this.arch = arch;
		metadata.put("general.architecture", GgufValue.string(arch));
		metadata.put(arch + ".context_length", GgufValue.uint32(128));
		metadata.put(arch + ".embedding_length", GgufValue.uint32(embd));
		metadata.put(arch + ".block_count", GgufValue.uint32(layers));
		metadata.put(arch + ".feed_forward_length", GgufValue.uint32(feedForward));
		metadata.put(arch + ".attention.head_count", GgufValue.uint32(heads));
		metadata.put(arch + ".attention.head_count_kv", GgufValue.uint32(kvHeads));
		metadata.put(arch + ".attention.layer_norm_rms_epsilon", GgufValue.float32(1e-6f));
		String[] tokens = new String[vocab];
		for (int i = 0; i < vocab; i++) {
			tokens[i] = "t" + i;
		}
		metadata.put("tokenizer.ggml.tokens", GgufValue.strings(tokens));
		metadata.put("general.file_type", GgufValue.uint32(1));
		if (arch.equals("qwen3moe")) {
			withExperts(4, 2);
			metadata.put(arch + ".expert_feed_forward_length", GgufValue.uint32(expertWidth));
		}
	}

	/**
	 * A mixture of {@code count} experts, {@code used} per token, in place of each dense
	 * FFN.
	 */
	SyntheticModel withExperts(int count, int used) {
		experts = count;
		metadata.put(arch + ".expert_count", GgufValue.uint32(count));
		metadata.put(arch + ".expert_used_count", GgufValue.uint32(used));
		return this;
	}

	SyntheticModel put(String key, GgufValue value) {
		metadata.put(key, value);
		return this;
	}

	SyntheticModel remove(String key) {
		metadata.remove(key);
		return this;
	}

	SyntheticModel replace(String tensor, GgmlType type, long... dims) {
		replaced.put(tensor, new Tensor(type, dims));
		return this;
	}

	/** A tensor beyond those of a well-formed model (e.g. rope_freqs.weight). */
	SyntheticModel add(String tensor, GgmlType type, long... dims) {
		added.put(tensor, new Tensor(type, dims));
		return this;
	}

	SyntheticModel omit(String tensor) {
		omitted.add(tensor);
		return this;
	}

	/** The tensors of a well-formed model, F16 matrices and F32 norms and biases. */
	Map<String, Tensor> tensors() {
		int q = heads * headSize;
		int kv = kvHeads * headSize;
		Map<String, Tensor> tensors = new LinkedHashMap<>();
		tensors.put("token_embd.weight", new Tensor(GgmlType.F16, embd, vocab));
		tensors.put("output_norm.weight", new Tensor(GgmlType.F32, embd));
		tensors.put("output.weight", new Tensor(GgmlType.F16, embd, vocab));
		for (int l = 0; l < layers; l++) {
			String p = "blk." + l + ".";
			tensors.put(p + "attn_norm.weight", new Tensor(GgmlType.F32, embd));
			if (arch.equals("phi3")) {
				tensors.put(p + "attn_qkv.weight", new Tensor(GgmlType.F16, embd, q + 2L * kv));
			}
			else {
				tensors.put(p + "attn_q.weight", new Tensor(GgmlType.F16, embd, q));
				tensors.put(p + "attn_k.weight", new Tensor(GgmlType.F16, embd, kv));
				tensors.put(p + "attn_v.weight", new Tensor(GgmlType.F16, embd, kv));
			}
			if (arch.equals("qwen2")) {
				tensors.put(p + "attn_q.bias", new Tensor(GgmlType.F32, q));
				tensors.put(p + "attn_k.bias", new Tensor(GgmlType.F32, kv));
				tensors.put(p + "attn_v.bias", new Tensor(GgmlType.F32, kv));
			}
			if (arch.equals("qwen3") || arch.equals("gemma3") || arch.equals("qwen3moe")) {
				tensors.put(p + "attn_q_norm.weight", new Tensor(GgmlType.F32, headSize));
				tensors.put(p + "attn_k_norm.weight", new Tensor(GgmlType.F32, headSize));
			}
			tensors.put(p + "attn_output.weight", new Tensor(GgmlType.F16, q, embd));
			tensors.put(p + "ffn_norm.weight", new Tensor(GgmlType.F32, embd));
			int width = arch.equals("qwen3moe") ? expertWidth : feedForward;
			if (experts > 0) {
				tensors.put(p + "ffn_gate_inp.weight", new Tensor(GgmlType.F32, embd, experts));
				tensors.put(p + "ffn_gate_exps.weight", new Tensor(GgmlType.F16, embd, width, experts));
				tensors.put(p + "ffn_up_exps.weight", new Tensor(GgmlType.F16, embd, width, experts));
				tensors.put(p + "ffn_down_exps.weight", new Tensor(GgmlType.F16, width, embd, experts));
			}
			else if (arch.equals("phi3")) {
				tensors.put(p + "ffn_up.weight", new Tensor(GgmlType.F16, embd, 2L * feedForward));
				tensors.put(p + "ffn_down.weight", new Tensor(GgmlType.F16, feedForward, embd));
			}
			else {
				tensors.put(p + "ffn_gate.weight", new Tensor(GgmlType.F16, embd, feedForward));
				tensors.put(p + "ffn_up.weight", new Tensor(GgmlType.F16, embd, feedForward));
				tensors.put(p + "ffn_down.weight", new Tensor(GgmlType.F16, feedForward, embd));
			}
			if (arch.startsWith("gemma")) {
				tensors.put(p + "post_attention_norm.weight", new Tensor(GgmlType.F32, embd));
				tensors.put(p + "post_ffw_norm.weight", new Tensor(GgmlType.F32, embd));
			}
		}
		tensors.putAll(added);
		return tensors;
	}

	Path write(Path file) throws IOException {
		GgufWriter writer = new GgufWriter();
		metadata.forEach(writer::put);
		for (var entry : tensors().entrySet()) {
			if (omitted.contains(entry.getKey())) {
				continue;
			}
			Tensor t = replaced.getOrDefault(entry.getKey(), entry.getValue());
			long elements = 1;
			for (long d : t.dims()) {
				elements *= d;
			}
			byte[] zeros = new byte[(int) t.type().byteSize(elements)];
			writer.addTensor(entry.getKey(), t.type(), t.dims(), zeros);
		}
		writer.write(file);
		return file;
	}

}
