package dev.llcuda.engine;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufWriter;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.hf.CheckpointConverter;
import dev.llcuda.hf.PeftAdapter;
import dev.llcuda.model.AdapterSpec;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.NativeLibrary;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Merges LoRA adapters (GGUF or PEFT form, as {@link AdapterLoader} reads them) into a
 * copy of their base model: every targeted weight becomes W + s·B·A, with s the scale the
 * runtime path gives the pair (the user's factor times alpha / rank, or the factor alone
 * without an alpha; rsLoRA's alpha / sqrt(r) arrives as a PEFT alpha of alpha · sqrt(r)).
 * The sum is taken in float64 from the base's dequantized values and written in the base
 * tensor's own type, re-quantized by the native library when it is quantized. Several
 * adapters add up in the order given; every other tensor and all metadata are copied
 * unchanged. The file is written beside its destination and moved into place once it
 * loads, so a failed merge never leaves a file behind.
 */
public final class AdapterMerger {

	/**
	 * One adapter to merge.
	 *
	 * @param path a GGUF adapter file or a PEFT directory
	 * @param scale the user's factor on top of the adapter's alpha / rank (1: as trained)
	 */
	public record Lora(Path path, float scale) {

		public Lora {
			Objects.requireNonNull(path, "path");
			if (!Float.isFinite(scale)) {
				throw new IllegalArgumentException(
						"the scale of LoRA adapter " + path + " must be finite, got " + scale);
			}
		}
	}

	/** A low-rank pair of one adapter for one base tensor, with the pair's scale. */
	private record Delta(GgufFile file, TensorInfo a, TensorInfo b, long rank, float scale) {
	}

	/** Base elements merged per step: bounds the float64 working set (8 MiB). */
	private static final long CHUNK_ELEMENTS = 1 << 20;

	private final NativeLibrary library;

	public AdapterMerger(NativeLibrary library) {
		this.library = library;
	}

	/**
	 * Writes {@code base} with {@code adapters} merged into its weights as {@code out}.
	 * @throws IOException naming the adapter and tensor when an adapter is not a LoRA
	 * adapter of this base (architecture, tensor names, shapes) or a base tensor's type
	 * cannot be re-quantized
	 */
	public void merge(Path base, List<Lora> adapters, Path out) throws IOException {
		if (adapters.isEmpty()) {
			throw new IllegalArgumentException("no LoRA adapters to merge into " + base);
		}
		Path absolute = out.toAbsolutePath();
		Path temporary = Files.createTempFile(absolute.getParent(), absolute.getFileName() + ".", ".part");
		List<GgufFile> opened = new ArrayList<>();
		List<Path> converted = new ArrayList<>();
		try (GgufFile model = GgufFile.open(base)) {
			ModelSpec spec = ModelSpec.from(model);
			Map<String, List<Delta>> deltas = new LinkedHashMap<>();
			for (Lora lora : adapters) {
				GgufFile file = GgufFile.open(ggufForm(lora.path(), spec, converted));
				opened.add(file);
				addDeltas(model, file, lora, spec, deltas, true);
			}
			GgufWriter writer = GgufWriter.withHeaderOf(model);
			for (TensorInfo tensor : model.tensors()) {
				List<Delta> merged = deltas.get(tensor.name());
				writer.addTensor(tensor.name(), tensor.type(), tensor.dims(), merged == null
						? stream -> copy(model, tensor, stream) : stream -> writeMerged(model, tensor, merged, stream));
			}
			writer.write(temporary);
			try {
				ModelFile.read(temporary);
			}
			catch (IOException | RuntimeException e) {
				throw new IOException("the merge of " + adapters.stream().map(Lora::path).toList() + " into " + base
						+ " does not load: " + e.getMessage(), e);
			}
			Files.move(temporary, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		finally {
			opened.forEach(GgufFile::close);
			for (Path path : converted) {
				Files.deleteIfExists(path);
			}
			Files.deleteIfExists(temporary);
		}
	}

	/**
	 * Checks, without merging, that {@code adapter} is a LoRA adapter of the GGUF model
	 * {@code base}: its architecture, and for every pair the base tensor it adapts and
	 * the shapes, as {@link #merge} checks them.
	 * @param forMerge also that each adapted weight's type can be re-quantized (a merge
	 * needs it; adapters loaded beside the model do not)
	 * @throws IOException naming the adapter, the tensor and the base when it does not
	 * fit
	 */
	public static void check(Path base, Path adapter, boolean forMerge) throws IOException {
		List<Path> converted = new ArrayList<>();
		try (GgufFile model = GgufFile.open(base)) {
			ModelSpec spec = ModelSpec.from(model);
			try (GgufFile file = GgufFile.open(ggufForm(adapter, spec, converted))) {
				addDeltas(model, file, new Lora(adapter, 1f), spec, new LinkedHashMap<>(), forMerge);
			}
		}
		finally {
			for (Path path : converted) {
				Files.deleteIfExists(path);
			}
		}
	}

	/**
	 * The adapter's GGUF file: itself, or a PEFT directory rewritten as the GGUF adapter
	 * the converter would write (a temporary file recorded in {@code converted}).
	 */
	private static Path ggufForm(Path adapter, ModelSpec spec, List<Path> converted) throws IOException {
		if (!PeftAdapter.isPeftDirectory(adapter)) {
			return adapter;
		}
		Path gguf = Files.createTempFile("llcuda-peft-merge-", ".gguf");
		converted.add(gguf);
		try {
			PeftAdapter.writeGguf(adapter, spec, gguf);
		}
		catch (RuntimeException e) {
			throw new IOException("PEFT adapter " + adapter + ": " + e.getMessage(), e);
		}
		return gguf;
	}

	/**
	 * Checks every pair of {@code file} against the base and records it under the base
	 * tensor it changes.
	 */
	private static void addDeltas(GgufFile model, GgufFile file, Lora lora, ModelSpec spec,
			Map<String, List<Delta>> deltas, boolean forMerge) throws IOException {
		AdapterSpec adapter = AdapterSpec.from(file, spec);
		String where = "LoRA adapter " + lora.path();
		Map<String, TensorInfo[]> pairs = new LinkedHashMap<>();
		for (TensorInfo tensor : adapter.tensors()) {
			String name = tensor.name();
			boolean isA = name.endsWith(".lora_a");
			if (!isA && !name.endsWith(".lora_b")) {
				throw new IOException(where + ": tensor '" + name + "' is neither a .lora_a nor a .lora_b");
			}
			TensorInfo[] pair = pairs.computeIfAbsent(name.substring(0, name.length() - ".lora_a".length()),
					k -> new TensorInfo[2]);
			if (pair[isA ? 0 : 1] != null) {
				throw new IOException(where + ": tensor '" + name + "' appears twice");
			}
			pair[isA ? 0 : 1] = tensor;
		}
		for (Map.Entry<String, TensorInfo[]> entry : pairs.entrySet()) {
			String target = entry.getKey();
			TensorInfo a = entry.getValue()[0];
			TensorInfo b = entry.getValue()[1];
			if (a == null || b == null) {
				throw new IOException(where + ": '" + target + (a == null ? ".lora_b" : ".lora_a") + "' has no "
						+ (a == null ? "lora_a" : "lora_b") + " beside it");
			}
			TensorInfo w = model.tensor(target)
				.orElseThrow(() -> new IOException(where + ": tensor '" + a.name() + "' adapts '" + target
						+ "', which the base model " + model.path() + " does not have"));
			long in = w.dim(0);
			long out = w.dim(1);
			long rank = a.dim(1);
			if (!w.hasShape(in, out) || !a.hasShape(in, rank) || !b.hasShape(rank, out) || rank < 1) {
				throw new IOException(where + ": tensors '" + a.name() + "' " + a.shape() + " and '" + b.name() + "' "
						+ b.shape() + " do not fit '" + target + "' " + w.shape() + " of " + model.path()
						+ " (lora_a [in, r], lora_b [r, out] of a matrix [in, out])");
			}
			if (forMerge && !CheckpointConverter.OUTPUT_TYPES.contains(w.type())) {
				throw new IOException(where + ": '" + target + "' of " + model.path() + " is " + w.type()
						+ ", which cannot be re-quantized (one of " + CheckpointConverter.OUTPUT_TYPES + ")");
			}
			// As the runtime path (adapter_spec.cpp): alpha / rank per pair, the factor
			// alone
			// without an alpha.
			float alpha = adapter.alpha();
			float scale = alpha != 0f ? lora.scale() * alpha / (float) rank : lora.scale();
			deltas.computeIfAbsent(target, k -> new ArrayList<>()).add(new Delta(file, a, b, rank, scale));
		}
	}

	private static void copy(GgufFile model, TensorInfo tensor, OutputStream out) throws IOException {
		ByteBuffer data = model.tensorData(tensor);
		byte[] chunk = new byte[1 << 16];
		while (data.hasRemaining()) {
			int n = Math.min(chunk.length, data.remaining());
			data.get(chunk, 0, n);
			out.write(chunk, 0, n);
		}
	}

	/** Streams W + Σ s·B·A in the base tensor's type, a chunk of whole rows at a time. */
	private void writeMerged(GgufFile model, TensorInfo tensor, List<Delta> deltas, OutputStream out)
			throws IOException {
		int in = Math.toIntExact(tensor.dim(0));
		long rows = tensor.dim(1);
		GgmlType type = tensor.type();
		long rowBytes = type.byteSize(in);
		List<float[]> as = new ArrayList<>();
		List<float[]> bs = new ArrayList<>();
		for (Delta delta : deltas) {
			as.add(floats(delta.file(), delta.a()));
			bs.add(floats(delta.file(), delta.b()));
		}
		ByteBuffer data = model.tensorData(tensor);
		int chunkRows = (int) Math.max(1, Math.min(rows, CHUNK_ELEMENTS / in));
		for (long first = 0; first < rows; first += chunkRows) {
			int count = (int) Math.min(chunkRows, rows - first);
			byte[] bytes = new byte[Math.toIntExact(count * rowBytes)];
			data.get(Math.toIntExact(first * rowBytes), bytes);
			float[] values = library.dequantize(type.id(), bytes, count * in);
			long firstRow = first;
			IntStream.range(0, count).parallel().forEach(row -> {
				double[] sum = new double[in];
				for (int i = 0; i < in; i++) {
					sum[i] = values[row * in + i];
				}
				for (int d = 0; d < deltas.size(); d++) {
					int rank = (int) deltas.get(d).rank();
					double scale = deltas.get(d).scale();
					float[] a = as.get(d);
					float[] b = bs.get(d);
					for (int k = 0; k < rank; k++) {
						double weight = scale * b[(int) ((firstRow + row) * rank + k)];
						for (int i = 0; i < in; i++) {
							sum[i] += weight * a[k * in + i];
						}
					}
				}
				for (int i = 0; i < in; i++) {
					values[row * in + i] = (float) sum[i];
				}
			});
			byte[] encoded = new byte[Math.toIntExact(type.byteSize(values.length))];
			library.quantize(type.id(), values, encoded);
			out.write(encoded);
		}
	}

	/** A tensor of an adapter as float32 values, whatever its stored type. */
	private float[] floats(GgufFile file, TensorInfo tensor) {
		ByteBuffer data = file.tensorData(tensor).order(ByteOrder.LITTLE_ENDIAN);
		byte[] bytes = new byte[data.remaining()];
		data.get(bytes);
		return library.dequantize(tensor.type().id(), bytes, Math.toIntExact(tensor.elementCount()));
	}

}
