package dev.llcuda.hf;

import dev.llcuda.bnb.BnbNf4;
import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufWriter;
import dev.llcuda.model.FileType;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.safetensors.SafetensorsCheckpoint;
import dev.llcuda.safetensors.SafetensorsDtype;
import dev.llcuda.safetensors.SafetensorsTensor;
import dev.llcuda.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes a Hugging Face model directory as a GGUF file the engine loads, as llama.cpp's
 * converter would: tensors renamed, llama's q/k rows permuted, config and tokenizer as
 * metadata, the chat template carried over. Vectors (norms, biases) are F32; weight
 * matrices are the requested type, quantized by the native library's quantizers, or keep
 * their F32/F16/BF16 type when none is requested (a matrix whose rows are not whole
 * blocks of the type becomes F16). A bitsandbytes 4-bit checkpoint's NF4 weights
 * ({@code quantization_config} nf4) become {@link GgmlType#NF4} tensors holding the same
 * codes and scales, or, when another type is requested, their exact float32 values
 * quantized to it. The file is written beside its destination and moved into place once
 * it loads, so a failed or interrupted conversion never leaves a file behind.
 */
public final class CheckpointConverter {

	/**
	 * The types a conversion can write weight matrices in: the engine runs them and the
	 * native library quantizes them.
	 */
	public static final List<GgmlType> OUTPUT_TYPES = List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
			GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K,
			GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.NF4);

	/**
	 * The file type a file of uniform {@code type} matrices states (K-quants without a
	 * mix: the _S variants).
	 */
	private static final Map<GgmlType, FileType> FILE_TYPES = Map.ofEntries(Map.entry(GgmlType.F32, FileType.F32),
			Map.entry(GgmlType.F16, FileType.F16), Map.entry(GgmlType.BF16, FileType.BF16),
			Map.entry(GgmlType.Q8_0, FileType.Q8_0), Map.entry(GgmlType.Q4_0, FileType.Q4_0),
			Map.entry(GgmlType.Q4_1, FileType.Q4_1), Map.entry(GgmlType.Q5_0, FileType.Q5_0),
			Map.entry(GgmlType.Q5_1, FileType.Q5_1), Map.entry(GgmlType.Q2_K, FileType.Q2_K),
			Map.entry(GgmlType.Q3_K, FileType.Q3_K_S), Map.entry(GgmlType.Q4_K, FileType.Q4_K_S),
			Map.entry(GgmlType.Q5_K, FileType.Q5_K_S), Map.entry(GgmlType.Q6_K, FileType.Q6_K),
			Map.entry(GgmlType.IQ4_NL, FileType.IQ4_NL), Map.entry(GgmlType.IQ4_XS, FileType.IQ4_XS),
			Map.entry(GgmlType.NF4, FileType.NF4));

	/**
	 * Source bytes converted per step: large enough to amortise native calls, small
	 * enough for any heap.
	 */
	private static final long CHUNK_BYTES = 1 << 22;

	private final NativeLibrary library;

	public CheckpointConverter(NativeLibrary library) {
		this.library = library;
	}

	/**
	 * The output type named {@code name} (case-insensitive), or an error listing the
	 * choices.
	 */
	public static GgmlType outputType(String name) {
		return OUTPUT_TYPES.stream()
			.filter(t -> t.name().equalsIgnoreCase(name))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("'" + name + "' is not a conversion type (one of "
					+ OUTPUT_TYPES.stream().map(Enum::name).collect(Collectors.joining(", ")) + ")"));
	}

	/**
	 * Whether {@code path} is a Hugging Face model directory (a folder with a
	 * config.json).
	 */
	public static boolean isModelDirectory(Path path) {
		return HfModelDirectory.isModelDirectory(path);
	}

	/**
	 * The facts of the model directory {@code directory}: its files and
	 * {@code config.json} are checked as a conversion checks them, and the safetensors
	 * headers read, but no weight is.
	 * @throws IOException naming the file and field when the directory cannot be
	 * converted
	 */
	public static CheckpointFacts inspect(Path directory) throws IOException {
		HfModelDirectory model = HfModelDirectory.read(directory);
		HfConfig config = HfConfig.read(model.config());
		boolean bnb4bit = BnbQuantization.read(model.config());
		try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(directory)) {
			SafetensorsTensor embedding = checkpoint.tensor("model.embed_tokens.weight")
				.orElseThrow(() -> new IOException(directory + ": the checkpoint has no model.embed_tokens.weight"));
			long parameters = checkpoint.tensors().stream().mapToLong(SafetensorsTensor::elementCount).sum();
			String weightType = bnb4bit ? GgmlType.NF4.name()
					: embedding.dtype().ggmlType().map(Enum::name).orElse(embedding.dtype().name());
			return new CheckpointFacts(String.valueOf(directory.toAbsolutePath().normalize().getFileName()),
					config.architecture().ggufName(), weightType, parameters, config.context());
		}
	}

	/**
	 * Converts the model directory {@code directory} into the GGUF file {@code out}.
	 * @param type the weight matrices' type; empty: each keeps its F32/F16/BF16 type
	 * @throws IOException naming the file, tensor or field when the directory cannot be
	 * converted
	 */
	public void convert(Path directory, Path out, Optional<GgmlType> type) throws IOException {
		if (type.isPresent() && !OUTPUT_TYPES.contains(type.get())) {
			throw new IllegalArgumentException(type.get() + " is not a conversion type " + OUTPUT_TYPES);
		}
		HfModelDirectory model = HfModelDirectory.read(directory);
		HfConfig config = HfConfig.read(model.config());
		boolean bnb4bit = BnbQuantization.read(model.config());
		Path temporary = Files.createTempFile(out.toAbsolutePath().getParent(), out.getFileName() + ".", ".part");
		try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(directory)) {
			SafetensorsTensor embedding = checkpoint.tensor("model.embed_tokens.weight")
				.orElseThrow(() -> new IOException(directory + ": the checkpoint has no model.embed_tokens.weight"));
			GgufWriter writer = new GgufWriter();
			writer.putString("general.architecture", config.architecture().ggufName());
			writer.putString("general.name", String.valueOf(directory.toAbsolutePath().normalize().getFileName()));
			GgmlType matrixType = type
				.orElseGet(() -> bnb4bit ? GgmlType.NF4 : embedding.dtype().ggmlType().orElse(GgmlType.F16));
			writer.putUint32(FileType.KEY, FILE_TYPES.getOrDefault(matrixType, FileType.F16).id());
			config.writeMetadata(writer);
			HfTokenizer.write(writer, model.tokenizer(), model.tokenizerConfig(), model.generationConfig(),
					Optional.of(model.config()), (int) embedding.shape()[0]);
			if (model.chatTemplate().isPresent()) {
				writer.putString("tokenizer.chat_template", model.chatTemplate().get());
			}
			Set<String> names = checkpoint.tensors().stream().map(SafetensorsTensor::name).collect(Collectors.toSet());
			for (SafetensorsTensor tensor : checkpoint.tensors()) {
				if (BnbNf4.isQuantized(tensor.name(), names)) {
					if (!bnb4bit) {
						throw new IOException(tensor.file() + ": tensor '" + tensor.name() + "' is bitsandbytes 4-bit"
								+ " but config.json has no bitsandbytes quantization_config");
					}
					addNf4Tensor(writer, checkpoint, config, tensor, type);
				}
				else if (BnbNf4.isQuantState(tensor.name())) {
					checkQuantStateOwner(tensor, names);
				}
				else if (!HfTensorNames.derived(tensor.name())) {
					addTensor(writer, checkpoint, config, tensor, type);
				}
			}
			if (config.ropeFactors().length > 0) {
				writer.addTensor("rope_freqs.weight", GgmlType.F32, new long[] { config.ropeFactors().length },
						littleEndian(config.ropeFactors()));
			}
			writer.write(temporary);
			try (GgufFile written = GgufFile.open(temporary)) {
				// what the engine reads of a model file before loading it
				ModelSpec.from(written, 0);
				Tokenizer.fromGguf(written.metadata());
			}
			catch (IOException | RuntimeException e) {
				throw new IOException("the GGUF file converted from " + directory + " does not load: " + e.getMessage(),
						e);
			}
			Files.move(temporary, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		finally {
			Files.deleteIfExists(temporary);
		}
	}

	private void addTensor(GgufWriter writer, SafetensorsCheckpoint checkpoint, HfConfig config,
			SafetensorsTensor tensor, Optional<GgmlType> type) throws IOException {
		String name = ggufName(config, tensor);
		if (!(tensor.dtype() == SafetensorsDtype.F32 || tensor.dtype() == SafetensorsDtype.F16
				|| tensor.dtype() == SafetensorsDtype.BF16)) {
			throw new IOException(tensor.file() + ": tensor '" + tensor.name() + "' has dtype " + tensor.dtype()
					+ "; weights must be F32, F16 or BF16");
		}
		long[] shape = tensor.shape();
		if (shape.length < 1 || shape.length > 2) {
			throw new IOException(tensor.file() + ": tensor '" + tensor.name() + "' has shape " + Arrays.toString(shape)
					+ "; expected a vector or a matrix");
		}
		GgmlType source = tensor.dtype().ggmlType().orElseThrow();
		long rowLength = shape[shape.length - 1];
		GgmlType target = shape.length == 1 ? GgmlType.F32 : type.orElse(source);
		if (!target.fitsBlocks(rowLength)) {
			target = GgmlType.F16;
		}
		int groups = permuteGroups(config, tensor, name, shape.length == 1 ? 1 : shape[0]);
		GgmlType outType = target;
		writer.addTensor(name, outType, tensor.ggufDims(),
				out -> writeRows(out, checkpoint, tensor, source, outType, groups));
	}

	/**
	 * The GGUF name of a weight of the config's architecture, or an error naming the
	 * tensor.
	 */
	private static String ggufName(HfConfig config, SafetensorsTensor tensor) throws IOException {
		String name = HfTensorNames.gguf(tensor.name())
			.orElseThrow(() -> new IOException(tensor.file() + ": tensor '" + tensor.name() + "' is not a weight of "
					+ config.architecture().hfClass()));
		HfArchitecture arch = config.architecture();
		boolean queryKeyNorm = name.endsWith("attn_q_norm.weight") || name.endsWith("attn_k_norm.weight");
		if ((name.endsWith(".bias") && !arch.attentionBiases()) || (queryKeyNorm && !arch.queryKeyNorms())) {
			throw new IOException(
					tensor.file() + ": tensor '" + tensor.name() + "' is not a weight of " + arch.hfClass());
		}
		return name;
	}

	/**
	 * The heads whose q/k rows llama's GGUF layout permutes (0: none), checked against
	 * the tensor's rows.
	 */
	private static int permuteGroups(HfConfig config, SafetensorsTensor tensor, String name, long rows)
			throws IOException {
		int groups = 0;
		if (config.architecture().permutesQueryKey() && name.endsWith("attn_q.weight")) {
			groups = config.heads();
		}
		else if (config.architecture().permutesQueryKey() && name.endsWith("attn_k.weight")) {
			groups = config.kvHeads();
		}
		if (groups > 0 && rows % (2L * groups) != 0) {
			throw new IOException(tensor.file() + ": tensor '" + tensor.name() + "' has " + rows
					+ " rows, not pairs of rows for each of " + groups + " heads");
		}
		return groups;
	}

	/**
	 * A bitsandbytes NF4 weight as NF4 blocks (every code and float32 scale kept), or,
	 * when {@code type} asks for another type, its exact float32 values quantized to that
	 * type.
	 */
	private void addNf4Tensor(GgufWriter writer, SafetensorsCheckpoint checkpoint, HfConfig config,
			SafetensorsTensor tensor, Optional<GgmlType> type) throws IOException {
		String name = ggufName(config, tensor);
		// converted here to check it and learn its shape, and again when written: one
		// weight in memory at a time
		BnbNf4.Nf4Weight weight = nf4Weight(checkpoint, tensor);
		int groups = permuteGroups(config, tensor, name, weight.rows());
		GgmlType target = type.orElse(GgmlType.NF4);
		GgmlType outType = target.fitsBlocks(weight.cols()) ? target : GgmlType.F16;
		writer.addTensor(name, outType, new long[] { weight.cols(), weight.rows() }, out -> {
			BnbNf4.Nf4Weight w = nf4Weight(checkpoint, tensor);
			byte[] blocks = groups > 0 ? permuteRows(w.blocks(), w.rows(), groups) : w.blocks();
			out.write(convert(blocks, w.rows() * w.cols(), GgmlType.NF4, outType));
		});
	}

	private static BnbNf4.Nf4Weight nf4Weight(SafetensorsCheckpoint checkpoint, SafetensorsTensor tensor)
			throws IOException {
		try {
			return BnbNf4.convert(tensor.name(), n -> checkpoint.tensor(n).map(checkpoint::bytes).orElse(null));
		}
		catch (IllegalArgumentException e) {
			throw new IOException(tensor.file() + ": " + e.getMessage(), e);
		}
	}

	/**
	 * A quantization-state tensor must belong to a 4-bit weight beside it; a stray one is
	 * refused, not dropped.
	 */
	private static void checkQuantStateOwner(SafetensorsTensor tensor, Set<String> names) throws IOException {
		String name = tensor.name();
		int cut = name.indexOf(".quant_state.bitsandbytes__");
		String owner = cut >= 0 ? name.substring(0, cut) : name.substring(0, name.lastIndexOf('.'));
		if (!BnbNf4.isQuantized(owner, names)) {
			throw new IOException(tensor.file() + ": tensor '" + name + "' is bitsandbytes quantization state of '"
					+ owner + "', which is not a 4-bit weight of the checkpoint");
		}
	}

	/**
	 * Rows of {@code rows} equal-sized rows in GGUF's q/k order
	 * ({@link HfArchitecture#huggingFaceRow}).
	 */
	private static byte[] permuteRows(byte[] data, long rows, int groups) {
		int rowBytes = Math.toIntExact(data.length / rows);
		long headRows = rows / groups;
		byte[] out = new byte[data.length];
		for (long row = 0; row < rows; row++) {
			long hfRow = HfArchitecture.huggingFaceRow(row, headRows);
			System.arraycopy(data, (int) (hfRow * rowBytes), out, (int) (row * rowBytes), rowBytes);
		}
		return out;
	}

	/**
	 * Streams the tensor's rows in {@code target} type. With {@code permuteGroups} > 0
	 * the rows are reordered as llama.cpp's converter permutes q and k
	 * ({@link HfArchitecture#huggingFaceRow}).
	 */
	private void writeRows(OutputStream out, SafetensorsCheckpoint checkpoint, SafetensorsTensor tensor,
			GgmlType source, GgmlType target, int permuteGroups) throws IOException {
		long[] shape = tensor.shape();
		long rows = shape.length == 1 ? 1 : shape[0];
		long rowLength = shape[shape.length - 1];
		long rowBytes = rowLength * tensor.dtype().bytes();
		if (rowBytes > Integer.MAX_VALUE / 2) {
			throw new IOException(tensor.file() + ": tensor '" + tensor.name() + "' has rows of " + rowBytes
					+ " bytes, too long to convert");
		}
		long chunkRows = Math.max(1, CHUNK_BYTES / rowBytes);
		ByteBuffer whole = permuteGroups > 0 ? checkpoint.bytes(tensor) : null;
		long headRows = permuteGroups > 0 ? rows / permuteGroups : 0;
		for (long first = 0; first < rows; first += chunkRows) {
			int count = (int) Math.min(chunkRows, rows - first);
			byte[] bytes = new byte[(int) (count * rowBytes)];
			if (whole == null) {
				checkpoint.bytes(tensor, first * rowBytes, bytes.length).get(bytes);
			}
			else {
				for (int r = 0; r < count; r++) {
					long hfRow = HfArchitecture.huggingFaceRow(first + r, headRows);
					whole.get((int) (hfRow * rowBytes), bytes, (int) (r * rowBytes), (int) rowBytes);
				}
			}
			out.write(convert(bytes, count * rowLength, source, target));
		}
	}

	private byte[] convert(byte[] bytes, long elements, GgmlType source, GgmlType target) {
		if (source == target) {
			return bytes;
		}
		float[] values = source == GgmlType.F32 ? floats(bytes)
				: library.dequantize(source.id(), bytes, Math.toIntExact(elements));
		if (target == GgmlType.F32) {
			return littleEndian(values);
		}
		byte[] encoded = new byte[Math.toIntExact(target.byteSize(values.length))];
		library.quantize(target.id(), values, encoded);
		return encoded;
	}

	private static float[] floats(byte[] bytes) {
		float[] values = new float[bytes.length / 4];
		ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
		return values;
	}

	private static byte[] littleEndian(float[] values) {
		ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
		buffer.asFloatBuffer().put(values);
		return buffer.array();
	}

}
