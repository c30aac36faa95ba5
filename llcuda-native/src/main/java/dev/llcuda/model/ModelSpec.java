package dev.llcuda.model;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufFormatException;
import dev.llcuda.gguf.TensorInfo;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the engine needs to run a model: the architecture's hyper-parameters from GGUF
 * metadata and the tensor table, every tensor checked for presence, type and shape.
 *
 * @param name {@code general.name}, or the file name without {@code .gguf}
 * @param vocabSize tokens in the vocabulary
 * @param embeddingSize the width of the residual stream (n_embd)
 * @param headSize dimensions per attention head (key and value)
 * @param ropeDimensions dimensions of each head that RoPE rotates
 * @param contextLength the context the engine runs with: the file's, or the one asked for
 * when loading
 * @param ropeFreqScale position scale of linear and YaRN RoPE scaling (1 = none)
 * @param fileType the name of {@code general.file_type}, e.g. {@code Q4_K_M}, or
 * {@code unknown}
 * @param parameterCount elements of all tensors in the file
 * @param tensors the tensors the model uses: token_embd, output_norm, output (if not tied
 * to token_embd), rope_freqs (if the file has it), then each layer's; absolute offsets
 * @param ropeScaling the RoPE scaling beyond linear (YaRN, llama3) and its parameters
 * @param family what the family's layers compute beyond llama's
 * ({@link FamilyParameters#NONE} for llama)
 * @param pooling how an encoder pools its output ({@link Pooling#NONE} for decoders)
 * @param experts the mixture-of-experts FFN ({@link Experts#NONE}: dense)
 */
public record ModelSpec(Architecture architecture, String name, int vocabSize, int embeddingSize, int layers, int heads,
		int kvHeads, int headSize, int feedForwardSize, int contextLength, RopeType ropeType, int ropeDimensions,
		float ropeTheta, float ropeFreqScale, float normEpsilon, String fileType, long parameterCount,
		List<TensorInfo> tensors, RopeScaling ropeScaling, FamilyParameters family, Pooling pooling, Experts experts) {

	public ModelSpec {
		Objects.requireNonNull(architecture, "architecture");
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(ropeType, "ropeType");
		Objects.requireNonNull(fileType, "fileType");
		Objects.requireNonNull(ropeScaling, "ropeScaling");
		Objects.requireNonNull(family, "family");
		Objects.requireNonNull(pooling, "pooling");
		Objects.requireNonNull(experts, "experts");
		tensors = List.copyOf(tensors);
	}

	/**
	 * Builds the spec of {@code file}: reads the {@code <arch>.*} metadata and checks
	 * every tensor the architecture needs for presence, a type the engine supports (norms
	 * and biases F32) and shape.
	 */
	public static ModelSpec from(GgufFile file) throws GgufFormatException {
		return from(file, 0);
	}

	/**
	 * As {@link #from(GgufFile)}, running with {@code contextLength} positions instead of
	 * the file's context length (0: the file's). Less is always allowed; more only up to
	 * what the file's RoPE scaling supports ({@link RopeScaling#maxContext}).
	 * @throws IllegalArgumentException when the model cannot run with
	 * {@code contextLength}
	 */
	public static ModelSpec from(GgufFile file, int contextLength) throws GgufFormatException {
		return new ModelSpecReader(file).read(contextLength);
	}

	/** Query (and output projection input) width: heads × head size. */
	public int queryDimensions() {
		return heads * headSize;
	}

	/** Key/value width: KV heads × head size. */
	public int keyValueDimensions() {
		return kvHeads * headSize;
	}

	public Optional<TensorInfo> tensor(String name) {
		return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
	}

	/**
	 * Tensor {@code blk.<layer>.<suffix>}, e.g. {@code layerTensor(0, "attn_q.weight")}.
	 */
	public Optional<TensorInfo> layerTensor(int layer, String suffix) {
		return tensor(TensorNames.layer(layer, suffix));
	}

	/**
	 * Whether the output projection reuses token_embd (the file has no output.weight).
	 */
	public boolean outputTied() {
		return tensor(TensorNames.OUTPUT).isEmpty();
	}
}
