package dev.llcuda.model;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufFormatException;
import dev.llcuda.gguf.GgufMetadata;
import dev.llcuda.gguf.GgufValue;
import dev.llcuda.gguf.GgufValueType;
import dev.llcuda.gguf.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads and checks one file's {@link ModelSpec}; every problem is a
 * {@link GgufFormatException}.
 */
final class ModelSpecReader {

	static final String ARCHITECTURE_KEY = "general.architecture";
	static final String TOKENS_KEY = "tokenizer.ggml.tokens";

	private final GgufFile file;

	private final GgufMetadata metadata;

	private final List<TensorInfo> used = new ArrayList<>();

	private String prefix = ""; // the architecture's key prefix, set by read

	ModelSpecReader(GgufFile file) {
		this.file = file;
		this.metadata = file.metadata();
	}

	ModelSpec read(int contextLength) throws GgufFormatException {
		String archName = metadata.requireString(ARCHITECTURE_KEY);
		Architecture arch = Architecture.byGgufName(archName)
			.orElseThrow(() -> error(ARCHITECTURE_KEY, "architecture '" + archName + "' is not supported (supported: "
					+ Arrays.stream(Architecture.values()).map(Architecture::ggufName).collect(Collectors.joining(", "))
					+ ")"));
		prefix = arch.ggufName() + ".";
		if (arch.encoder()) {
			return readEncoder(arch);
		}

		int embd = positive("embedding_length");
		int layers = positive("block_count");
		int heads = positive("attention.head_count");
		int kvHeads = positive("attention.head_count_kv", heads);
		if (heads % kvHeads != 0) {
			throw error(prefix + "attention.head_count_kv",
					heads + " heads are not a multiple of " + kvHeads + " KV heads");
		}
		if (!metadata.contains(prefix + "attention.key_length") && embd % heads != 0) {
			throw error(prefix + "embedding_length",
					"embedding length " + embd + " is not a multiple of " + heads + " heads");
		}
		int headSize = positive("attention.key_length", embd / heads);
		int valueSize = positive("attention.value_length", headSize);
		if (valueSize != headSize) {
			throw error(prefix + "attention.value_length",
					"value length " + valueSize + " differs from key length " + headSize + " (not supported)");
		}
		if ((long) heads * headSize > Integer.MAX_VALUE) {
			throw error(prefix + "attention.head_count",
					heads + " heads of size " + headSize + " exceed " + Integer.MAX_VALUE + " dimensions");
		}
		int feedForward = positive("feed_forward_length");
		int context = positive("context_length");
		int ropeDims = positive("rope.dimension_count", headSize);
		if (ropeDims > headSize || ropeDims % 2 != 0) {
			throw error(prefix + "rope.dimension_count",
					"RoPE dimension count " + ropeDims + " must be even and at most the head size " + headSize);
		}
		float ropeTheta = positiveReal("rope.freq_base", 10000.0);
		RopeScaling scaling = ropeScaling(context);
		int runContext = runContext(contextLength, context, scaling);
		float epsilon = positiveReal("attention.layer_norm_rms_epsilon", Double.NaN);
		int vocab = vocabularySize();
		String name = metadata.contains("general.name") ? metadata.requireString("general.name") : fileStem();
		String fileType = metadata.contains(FileType.KEY) ? FileType.label(metadata.requireInteger(FileType.KEY))
				: "unknown";

		long[] embdVocab = { embd, vocab };
		long[] norm = { embd };
		int qDim = heads * headSize;
		int kvDim = kvHeads * headSize;
		weight(TensorNames.TOKEN_EMBEDDING, embdVocab);
		f32(TensorNames.OUTPUT_NORM, norm);
		Optional<TensorInfo> output = file.tensor(TensorNames.OUTPUT);
		if (output.isPresent()) {
			weight(TensorNames.OUTPUT, embdVocab);
		}
		if (file.tensor(TensorNames.ROPE_FREQS).isPresent()) {
			f32(TensorNames.ROPE_FREQS, ropeDims / 2);
		}
		if (scaling.type() == RopeScaling.Type.LONGROPE) {
			f32(TensorNames.ROPE_FACTORS_LONG, ropeDims / 2);
			f32(TensorNames.ROPE_FACTORS_SHORT, ropeDims / 2);
		}
		boolean phi3 = arch == Architecture.PHI3;
		Experts experts = experts(arch, feedForward);
		for (int layer = 0; layer < layers; layer++) {
			f32(TensorNames.layer(layer, "attn_norm.weight"), norm);
			if (phi3 && file.tensor(TensorNames.layer(layer, "attn_qkv.weight")).isPresent()) {
				weight(TensorNames.layer(layer, "attn_qkv.weight"), embd, qDim + 2L * kvDim);
			}
			else {
				weight(TensorNames.layer(layer, "attn_q.weight"), embd, qDim);
				weight(TensorNames.layer(layer, "attn_k.weight"), embd, kvDim);
				weight(TensorNames.layer(layer, "attn_v.weight"), embd, kvDim);
			}
			if (arch.attentionBiases()) {
				f32(TensorNames.layer(layer, "attn_q.bias"), qDim);
				f32(TensorNames.layer(layer, "attn_k.bias"), kvDim);
				f32(TensorNames.layer(layer, "attn_v.bias"), kvDim);
			}
			if (arch.queryKeyNorms()) {
				f32(TensorNames.layer(layer, TensorNames.ATTENTION_Q_NORM), headSize);
				f32(TensorNames.layer(layer, TensorNames.ATTENTION_K_NORM), headSize);
			}
			weight(TensorNames.layer(layer, "attn_output.weight"), qDim, embd);
			f32(TensorNames.layer(layer, "ffn_norm.weight"), norm);
			if (experts.present()) { // the router, then every expert's matrices stacked
										// along the third dimension
				weight(TensorNames.layer(layer, "ffn_gate_inp.weight"), embd, experts.count());
				weight(TensorNames.layer(layer, "ffn_gate_exps.weight"), embd, experts.feedForward(), experts.count());
				weight(TensorNames.layer(layer, "ffn_up_exps.weight"), embd, experts.feedForward(), experts.count());
				weight(TensorNames.layer(layer, "ffn_down_exps.weight"), experts.feedForward(), embd, experts.count());
			}
			else if (phi3) { // gate rows, then up rows
				weight(TensorNames.layer(layer, "ffn_up.weight"), embd, 2L * feedForward);
				weight(TensorNames.layer(layer, "ffn_down.weight"), feedForward, embd);
			}
			else {
				weight(TensorNames.layer(layer, "ffn_gate.weight"), embd, feedForward);
				weight(TensorNames.layer(layer, "ffn_up.weight"), embd, feedForward);
				weight(TensorNames.layer(layer, "ffn_down.weight"), feedForward, embd);
			}
			if (arch.gemma()) {
				f32(TensorNames.layer(layer, TensorNames.POST_ATTENTION_NORM), norm);
				f32(TensorNames.layer(layer, TensorNames.POST_FFN_NORM), norm);
			}
		}
		return new ModelSpec(arch, name, vocab, embd, layers, heads, kvHeads, headSize, feedForward, runContext,
				arch.ropeType(), ropeDims, ropeTheta, scaling.frequencyScale(), epsilon, fileType, file.elementCount(),
				used, scaling, familyParameters(arch, embd, layers, heads, headSize), Pooling.NONE, experts);
	}

	/**
	 * The family's parameters as llama.cpp's hyper-parameter loading derives them: gemma2
	 * alternates sliding-window and global layers (window 4096 unless the file says
	 * otherwise) and soft-caps (50 and 30 unless the file says otherwise); gemma3 has
	 * five sliding-window layers (RoPE base 10000, unscaled) to one global one; both
	 * scale queries by 1/sqrt(head size), except the 27B models (46 and 62 layers) by
	 * 1/sqrt(n_embd / n_head). A llama file with a sliding window (Mistral v0.1) slides
	 * in every layer; so does a phi3 file, whose converter writes 0 for none (llama.cpp
	 * switches phi3's window off; llcuda applies it, as the model was trained).
	 */
	private FamilyParameters familyParameters(Architecture arch, int embd, int layers, int heads, int headSize)
			throws GgufFormatException {
		return switch (arch) {
			case LLAMA -> new FamilyParameters(0, 0, 0, 0, optionalPositive("attention.sliding_window"), 0, 0, 0);
			case PHI3 -> new FamilyParameters(0, 0, 0, 0, nonNegative("attention.sliding_window"), 0, 0, 0);
			case QWEN2, QWEN3, QWEN3MOE, BERT, NOMIC_BERT -> FamilyParameters.NONE;
			case GEMMA2 -> new FamilyParameters(gemmaQueryScale(embd, heads, headSize, layers == 46),
					positiveReal("attn_logit_softcapping", 50.0), positiveReal("final_logit_softcapping", 30.0),
					(float) Math.sqrt(embd), positive("attention.sliding_window", 4096), 2, 0, 0);
			case GEMMA3 -> new FamilyParameters(gemmaQueryScale(embd, heads, headSize, layers == 62), 0,
					metadata.contains(prefix + "final_logit_softcapping")
							? positiveReal("final_logit_softcapping", Double.NaN) : 0,
					(float) Math.sqrt(embd), optionalPositive("attention.sliding_window"), 6, 10000f, 1f);
		};
	}

	/**
	 * The experts of {@code expert_count}: llama files (Mixtral) may have them, each as
	 * wide as {@code feed_forward_length}; qwen3moe requires them, with
	 * {@code expert_feed_forward_length}. Other architectures stating experts are refused
	 * rather than run dense.
	 */
	private Experts experts(Architecture arch, int feedForward) throws GgufFormatException {
		int count = optionalPositive("expert_count");
		if (arch == Architecture.QWEN3MOE && count == 0) {
			throw error(prefix + "expert_count", "qwen3moe needs " + prefix + "expert_count");
		}
		if (count == 0) {
			return Experts.NONE;
		}
		if (arch != Architecture.LLAMA && arch != Architecture.QWEN3MOE) {
			throw error(prefix + "expert_count",
					"mixture-of-experts " + arch.ggufName() + " files are not supported (experts: llama, qwen3moe)");
		}
		int used = positive("expert_used_count");
		if (used > count) {
			throw error(prefix + "expert_used_count",
					prefix + "expert_used_count = " + used + " exceeds the " + count + " experts");
		}
		int width = arch == Architecture.QWEN3MOE ? positive("expert_feed_forward_length")
				: positive("expert_feed_forward_length", feedForward);
		return new Experts(count, used, width);
	}

	private static float gemmaQueryScale(int embd, int heads, int headSize, boolean is27b) {
		return 1.0f / (float) Math.sqrt(is27b ? embd / heads : headSize); // float
																			// division,
																			// as
																			// llama.cpp
	}

	/** {@code <arch>.<suffix>} in 0..Integer.MAX_VALUE, or 0 when absent. */
	private int nonNegative(String suffix) throws GgufFormatException {
		String key = prefix + suffix;
		if (!metadata.contains(key)) {
			return 0;
		}
		long value = metadata.requireInteger(key);
		if (value < 0 || value > Integer.MAX_VALUE) {
			throw error(key, key + " = " + value + " is outside 0.." + Integer.MAX_VALUE);
		}
		return (int) value;
	}

	/** {@code <arch>.<suffix>} in 1..Integer.MAX_VALUE, or 0 when absent. */
	private int optionalPositive(String suffix) throws GgufFormatException {
		return metadata.contains(prefix + suffix) ? positive(suffix) : 0;
	}

	/**
	 * bert as llama.cpp's converter writes it: absolute positions (one row per context
	 * position), optional token types, LayerNorms with biases, optional projection
	 * biases, the pooling type. nomic-bert: RoPE instead of the position table, one fused
	 * QKV projection, a SwiGLU FFN whose biases llama.cpp does not apply (so they are not
	 * read).
	 */
	private ModelSpec readEncoder(Architecture arch) throws GgufFormatException {
		int embd = positive("embedding_length");
		int layers = positive("block_count");
		int heads = positive("attention.head_count");
		if (embd % heads != 0) {
			throw error(prefix + "embedding_length",
					"embedding length " + embd + " is not a multiple of " + heads + " heads");
		}
		int feedForward = positive("feed_forward_length");
		int context = positive("context_length");
		float epsilon = positiveReal("attention.layer_norm_epsilon", Double.NaN);
		Pooling pooling = encoderPooling();
		int vocab = vocabularySize();
		String name = metadata.contains("general.name") ? metadata.requireString("general.name") : fileStem();
		String fileType = metadata.contains(FileType.KEY) ? FileType.label(metadata.requireInteger(FileType.KEY))
				: "unknown";

		weight(TensorNames.TOKEN_EMBEDDING, embd, vocab);
		boolean nomic = arch == Architecture.NOMIC_BERT;
		if (!nomic) {
			weight("position_embd.weight", embd, context);
		}
		Optional<TensorInfo> types = file.tensor("token_types.weight");
		if (types.isPresent()) {
			weight("token_types.weight", embd, types.get().dim(1));
		}
		f32("token_embd_norm.weight", embd);
		f32("token_embd_norm.bias", embd);
		for (int layer = 0; layer < layers; layer++) {
			if (nomic) {
				weight(TensorNames.layer(layer, "attn_qkv.weight"), embd, 3L * embd);
				optionalF32(TensorNames.layer(layer, "attn_qkv.bias"), 3L * embd);
				weight(TensorNames.layer(layer, "ffn_gate.weight"), embd, feedForward);
			}
			for (String projection : nomic ? List.of("attn_output")
					: List.of("attn_q", "attn_k", "attn_v", "attn_output")) {
				weight(TensorNames.layer(layer, projection + ".weight"), embd, embd);
				optionalF32(TensorNames.layer(layer, projection + ".bias"), embd);
			}
			f32(TensorNames.layer(layer, "attn_output_norm.weight"), embd);
			f32(TensorNames.layer(layer, "attn_output_norm.bias"), embd);
			weight(TensorNames.layer(layer, "ffn_up.weight"), embd, feedForward);
			if (!nomic) {
				optionalF32(TensorNames.layer(layer, "ffn_up.bias"), feedForward);
			}
			weight(TensorNames.layer(layer, "ffn_down.weight"), feedForward, embd);
			if (!nomic) {
				optionalF32(TensorNames.layer(layer, "ffn_down.bias"), embd);
			}
			f32(TensorNames.layer(layer, "layer_output_norm.weight"), embd);
			f32(TensorNames.layer(layer, "layer_output_norm.bias"), embd);
		}
		int headSize = embd / heads;
		// bert has no RoPE: its rope fields carry neutral values the native spec check
		// accepts.
		int ropeDims = nomic ? positive("rope.dimension_count", headSize) : headSize;
		float ropeTheta = nomic ? positiveReal("rope.freq_base", 10000.0) : 10000.0f;
		return new ModelSpec(arch, name, vocab, embd, layers, heads, heads, headSize, feedForward, context,
				arch.ropeType(), ropeDims, ropeTheta, 1.0f, epsilon, fileType, file.elementCount(), used,
				RopeScaling.NONE, FamilyParameters.NONE, pooling, Experts.NONE);
	}

	/**
	 * {@code <arch>.pooling_type}: mean, CLS or last; llama.cpp's other kinds (none,
	 * rank) are refused.
	 */
	private Pooling encoderPooling() throws GgufFormatException {
		String key = prefix + "pooling_type";
		long value = metadata.requireInteger(key);
		for (Pooling pooling : List.of(Pooling.MEAN, Pooling.CLS, Pooling.LAST)) {
			if (pooling.abiValue() == value) {
				return pooling;
			}
		}
		throw error(key, key + " = " + value + " is not supported (1 mean, 2 CLS, 3 last)");
	}

	private void optionalF32(String name, long... shape) throws GgufFormatException {
		if (file.tensor(name).isPresent()) {
			f32(name, shape);
		}
	}

	private GgufFormatException error(String key, String problem) {
		return new GgufFormatException(file.path(), metadata.offset(key).orElse(GgufFormatException.NO_OFFSET),
				problem);
	}

	/** {@code <arch>.<suffix>}: a required integer in 1..Integer.MAX_VALUE. */
	private int positive(String suffix) throws GgufFormatException {
		return positive(suffix, -1);
	}

	/**
	 * {@code <arch>.<suffix>} in 1..Integer.MAX_VALUE, or {@code fallback} when absent
	 * (-1: required).
	 */
	private int positive(String suffix, int fallback) throws GgufFormatException {
		String key = prefix + suffix;
		if (!metadata.contains(key) && fallback > 0) {
			return fallback;
		}
		long value = metadata.requireInteger(key);
		if (value < 1 || value > Integer.MAX_VALUE) {
			throw error(key, key + " = " + value + " is outside 1.." + Integer.MAX_VALUE);
		}
		return (int) value;
	}

	/**
	 * {@code <arch>.<suffix>}: a positive finite float, or {@code fallback} when absent
	 * (NaN: required).
	 */
	private float positiveReal(String suffix, double fallback) throws GgufFormatException {
		String key = prefix + suffix;
		if (!metadata.contains(key) && !Double.isNaN(fallback)) {
			return (float) fallback;
		}
		double value = metadata.requireReal(key);
		if (!(value > 0) || !Float.isFinite((float) value)) {
			throw error(key, key + " = " + value + " is not a positive finite number");
		}
		return (float) value;
	}

	/**
	 * The RoPE scaling of {@code rope.scaling.*} (linear, yarn, llama3; the legacy
	 * {@code rope.scale_linear}) and the {@code rope_freqs.weight} tensor, which
	 * llama.cpp's converter writes for Llama 3.1+ without any scaling metadata, or
	 * Phi-3's {@code rope_factors_long.weight} (LongRoPE, also without a type). Other
	 * scaling types are refused.
	 */
	private RopeScaling ropeScaling(int fileContext) throws GgufFormatException {
		String typeKey = prefix + "rope.scaling.type";
		String type = metadata.contains(typeKey) ? metadata.requireString(typeKey).toLowerCase(Locale.ROOT) : "";
		boolean freqFactors = file.tensor(TensorNames.ROPE_FREQS).isPresent();
		boolean longRopeFactors = file.tensor(TensorNames.ROPE_FACTORS_LONG).isPresent();
		float attnFactor = positiveReal("rope.scaling.attn_factor", 1.0);
		float factor = positiveReal("rope.scaling.factor", 1.0);
		int original = metadata.contains(prefix + "rope.scaling.original_context_length")
				? positive("rope.scaling.original_context_length") : 0;
		RopeScaling.Type kind = switch (type) {
			case "none" -> RopeScaling.Type.NONE;
			// As llama.cpp reads a file without a type: its factor scales linearly.
			case "" -> freqFactors ? RopeScaling.Type.LLAMA3 : longRopeFactors ? RopeScaling.Type.LONGROPE
					: factor != 1f ? RopeScaling.Type.LINEAR : RopeScaling.Type.NONE;
			case "linear" -> RopeScaling.Type.LINEAR;
			case "yarn" -> RopeScaling.Type.YARN;
			case "llama3" -> {
				if (!freqFactors) {
					throw error(typeKey, "RoPE scaling type 'llama3' needs the per-pair factors of the tensor '"
							+ TensorNames.ROPE_FREQS + "', which the file does not have");
				}
				yield RopeScaling.Type.LLAMA3;
			}
			default ->
				throw error(typeKey, "RoPE scaling type '" + type + "' is not supported (none, linear, yarn, llama3)");
		};
		if (type.isEmpty() && metadata.contains(prefix + "rope.scale_linear")) {
			kind = RopeScaling.Type.LINEAR;
			factor = positiveReal("rope.scale_linear", Double.NaN);
		}
		String logMultiplierKey = prefix + "rope.scaling.yarn_log_multiplier";
		if (metadata.contains(logMultiplierKey)) {
			throw error(logMultiplierKey, logMultiplierKey + " (DeepSeek's YaRN magnitude rule) is not supported");
		}
		if (kind == RopeScaling.Type.LONGROPE) {
			// Phi-3's converter writes the factors, the original context and the
			// magnitude (attn_factor).
			return new RopeScaling(kind, factor, positive("rope.scaling.original_context_length"),
					RopeScaling.NONE.betaFast(), RopeScaling.NONE.betaSlow(), attnFactor);
		}
		if (kind == RopeScaling.Type.YARN) {
			// llama.cpp's defaults: the file's context as the original one, beta fast 32,
			// slow 1.
			return new RopeScaling(kind, factor, original > 0 ? original : fileContext,
					positiveReal("rope.scaling.yarn_beta_fast", 32.0), positiveReal("rope.scaling.yarn_beta_slow", 1.0),
					attnFactor);
		}
		return new RopeScaling(kind, factor, original, RopeScaling.NONE.betaFast(), RopeScaling.NONE.betaSlow(),
				attnFactor);
	}

	/**
	 * The context to run with: the file's when {@code requested} is 0, else
	 * {@code requested} within the scaling's reach.
	 */
	private int runContext(int requested, int fileContext, RopeScaling scaling) {
		if (requested == 0) {
			return fileContext;
		}
		int max = scaling.maxContext(fileContext);
		if (requested < 0 || requested > max) {
			String reach = max > fileContext
					? " (RoPE scaling " + scaling.type().name().toLowerCase(Locale.ROOT) + " × " + scaling.factor()
							+ " of the original " + scaling.originalContext() + ")"
					: scaling.type() == RopeScaling.Type.NONE ? " (the file has no RoPE scaling that would allow more)"
							: " (the file's RoPE scaling states no factor and original context that would allow more)";
			throw new IllegalArgumentException("context length " + requested + " is outside 1.." + max + " for "
					+ file.path() + ": its context length is " + fileContext + reach);
		}
		return requested;
	}

	private int vocabularySize() throws GgufFormatException {
		if (metadata.contains(TOKENS_KEY)) {
			GgufValue tokens = metadata.get(TOKENS_KEY);
			if (!(tokens instanceof GgufValue.Array array) || array.elementType() != GgufValueType.STRING) {
				throw error(TOKENS_KEY, TOKENS_KEY + " is " + tokens.typeName() + ", expected array<string>");
			}
			int size = array.size();
			if (size < 1) {
				throw error(TOKENS_KEY, TOKENS_KEY + " is empty");
			}
			return size;
		}
		return positive("vocab_size");
	}

	private String fileStem() {
		String fileName = String.valueOf(file.path().getFileName());
		return fileName.endsWith(".gguf") ? fileName.substring(0, fileName.length() - 5) : fileName;
	}

	/** A matrix or embedding: any type the engine computes with. */
	private void weight(String name, long... shape) throws GgufFormatException {
		TensorInfo t = tensor(name, shape);
		if (!t.type().supportedByEngine()) {
			throw new GgufFormatException(file.path(), t.offset(),
					"tensor '" + name + "' has type " + t.type() + ", which the engine does not support (supported: "
							+ Arrays.stream(GgmlType.values())
								.filter(GgmlType::supportedByEngine)
								.map(Enum::name)
								.collect(Collectors.joining(", "))
							+ ")");
		}
	}

	/** A norm weight or bias: F32. */
	private void f32(String name, long... shape) throws GgufFormatException {
		TensorInfo t = tensor(name, shape);
		if (t.type() != GgmlType.F32) {
			throw new GgufFormatException(file.path(), t.offset(),
					"tensor '" + name + "' has type " + t.type() + ", expected F32");
		}
	}

	private TensorInfo tensor(String name, long... shape) throws GgufFormatException {
		TensorInfo t = file.tensor(name)
			.orElseThrow(() -> new GgufFormatException(file.path(), GgufFormatException.NO_OFFSET,
					"missing required tensor '" + name + "'"));
		if (!t.hasShape(shape)) {
			throw new GgufFormatException(file.path(), t.offset(),
					"tensor '" + name + "' has shape " + t.shape() + ", expected " + Arrays.toString(shape));
		}
		used.add(t);
		return t;
	}

}
