package dev.llcuda.hf;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Hugging Face model classes ({@code config.json} {@code architectures}) converted,
 * with the GGUF architecture each becomes and what its checkpoint holds beyond llama's
 * layer.
 */
enum HfArchitecture {

	/**
	 * Llama 2/3, TinyLlama: q/k rows permuted from HF's half-split RoPE layout to GGUF's
	 * interleaved one.
	 */
	LLAMA("LlamaForCausalLM", "llama", true, false, false), MISTRAL("MistralForCausalLM", "llama", true, false, false),
	/** Qwen2, Qwen2.5: q/k/v biases, NEOX RoPE (HF's own layout, so no permutation). */
	QWEN2("Qwen2ForCausalLM", "qwen2", false, true, false),
	/** Qwen3 (dense): per-head RMSNorm of q and k. */
	QWEN3("Qwen3ForCausalLM", "qwen3", false, false, true);

	private final String hfClass;

	private final String ggufName;

	private final boolean permutesQueryKey;

	private final boolean attentionBiases;

	private final boolean queryKeyNorms;

	HfArchitecture(String hfClass, String ggufName, boolean permutesQueryKey, boolean attentionBiases,
			boolean queryKeyNorms) {
		this.hfClass = hfClass;
		this.ggufName = ggufName;
		this.permutesQueryKey = permutesQueryKey;
		this.attentionBiases = attentionBiases;
		this.queryKeyNorms = queryKeyNorms;
	}

	String hfClass() {
		return hfClass;
	}

	String ggufName() {
		return ggufName;
	}

	/**
	 * Whether llama.cpp's converter permutes the q and k rows (RoPE on interleaved pairs,
	 * not halves).
	 */
	boolean permutesQueryKey() {
		return permutesQueryKey;
	}

	/**
	 * The Hugging Face row of GGUF row {@code ggufRow} of a permuted q or k with
	 * {@code headRows} rows per head: in each head HF keeps the first halves of the RoPE
	 * pairs, then the second halves; GGUF interleaves them (GGUF row 2j+i of a head = HF
	 * row i·half+j).
	 */
	static long huggingFaceRow(long ggufRow, long headRows) {
		long head = ggufRow / headRows;
		long within = ggufRow % headRows;
		return head * headRows + (within % 2) * (headRows / 2) + within / 2;
	}

	boolean attentionBiases() {
		return attentionBiases;
	}

	boolean queryKeyNorms() {
		return queryKeyNorms;
	}

	static Optional<HfArchitecture> byHfClass(String name) {
		return Arrays.stream(values()).filter(a -> a.hfClass.equals(name)).findFirst();
	}

	/**
	 * The converted class whose GGUF architecture is {@code ggufName} (the first, where
	 * several share one).
	 */
	static Optional<HfArchitecture> byGgufName(String ggufName) {
		return Arrays.stream(values()).filter(a -> a.ggufName.equals(ggufName)).findFirst();
	}

	static String supported() {
		return Arrays.stream(values()).map(HfArchitecture::hfClass).collect(Collectors.joining(", "));
	}

}
