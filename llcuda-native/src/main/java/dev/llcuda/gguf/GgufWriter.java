package dev.llcuda.gguf;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a GGUF v3 file (v2 on request): typed metadata of every value type, including
 * nested arrays, and tensors given as bytes or streamed by a callback, each aligned to
 * {@code general.alignment}.
 */
public final class GgufWriter {

	/**
	 * Writes exactly a tensor's bytes to {@code out}; for tensors too big to hold in
	 * memory.
	 */
	@FunctionalInterface
	public interface TensorContent {

		void writeTo(OutputStream out) throws IOException;

	}

	private record PendingTensor(String name, GgmlType type, long[] dims, long byteSize, TensorContent content) {
	}

	private final Map<String, GgufValue> metadata = new LinkedHashMap<>();

	private final Map<String, PendingTensor> tensors = new LinkedHashMap<>();

	private int version = 3;

	private long alignment = GgufParser.DEFAULT_ALIGNMENT;

	/**
	 * A writer holding {@code file}'s version, alignment and metadata (in file order),
	 * for a copy whose tensors are added next.
	 */
	public static GgufWriter withHeaderOf(GgufFile file) {
		GgufWriter writer = new GgufWriter().version(file.version());
		for (String key : file.metadata().keys()) {
			if (key.equals(GgufParser.ALIGNMENT_KEY)) {
				writer.alignment(Math.toIntExact(file.alignment()));
			}
			else {
				writer.put(key, file.metadata().get(key));
			}
		}
		return writer;
	}

	/** The version written in the header, 2 or 3 (they share one layout). */
	public GgufWriter version(int version) {
		if (version != 2 && version != 3) {
			throw new IllegalArgumentException("GGUF version " + version + " cannot be written; use 2 or 3");
		}
		this.version = version;
		return this;
	}

	/** Sets the data alignment and records it as {@code general.alignment} (uint32). */
	public GgufWriter alignment(int alignment) {
		if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
			throw new IllegalArgumentException("alignment " + alignment + " is not a power of two");
		}
		this.alignment = alignment;
		metadata.put(GgufParser.ALIGNMENT_KEY, GgufValue.uint32(alignment));
		return this;
	}

	/** Adds a metadata key; keys are written in the order they are added. */
	public GgufWriter put(String key, GgufValue value) {
		Objects.requireNonNull(value, "value");
		if (key.equals(GgufParser.ALIGNMENT_KEY)) {
			throw new IllegalArgumentException("set " + key + " through alignment(int)");
		}
		if (metadata.putIfAbsent(key, value) != null) {
			throw new IllegalArgumentException("duplicate metadata key '" + key + "'");
		}
		return this;
	}

	public GgufWriter putString(String key, String value) {
		return put(key, GgufValue.string(value));
	}

	public GgufWriter putUint32(String key, long value) {
		return put(key, GgufValue.uint32(value));
	}

	public GgufWriter putInt32(String key, int value) {
		return put(key, GgufValue.int32(value));
	}

	public GgufWriter putUint64(String key, long value) {
		return put(key, GgufValue.uint64(value));
	}

	public GgufWriter putFloat32(String key, float value) {
		return put(key, GgufValue.float32(value));
	}

	public GgufWriter putBool(String key, boolean value) {
		return put(key, GgufValue.bool(value));
	}

	public GgufWriter putStrings(String key, String... values) {
		return put(key, GgufValue.strings(values));
	}

	public GgufWriter putFloat32s(String key, float... values) {
		return put(key, GgufValue.float32s(values));
	}

	public GgufWriter putInt32s(String key, int... values) {
		return put(key, GgufValue.int32s(values));
	}

	/** Adds a tensor with its bytes ({@code type.byteSize(elements)} of them). */
	public GgufWriter addTensor(String name, GgmlType type, long[] dims, byte[] data) {
		byte[] copy = data.clone();
		PendingTensor tensor = pending(name, type, dims, out -> out.write(copy));
		if (copy.length != tensor.byteSize()) {
			throw new IllegalArgumentException("tensor '" + name + "' " + type + " " + Arrays.toString(dims) + " needs "
					+ tensor.byteSize() + " bytes, got " + copy.length);
		}
		return add(tensor);
	}

	/** Adds a tensor whose bytes {@code content} streams when the file is written. */
	public GgufWriter addTensor(String name, GgmlType type, long[] dims, TensorContent content) {
		return add(pending(name, type, dims, Objects.requireNonNull(content, "content")));
	}

	private PendingTensor pending(String name, GgmlType type, long[] dims, TensorContent content) {
		if (dims.length < 1 || dims.length > GgufParser.MAX_DIMS) {
			throw new IllegalArgumentException(
					"tensor '" + name + "' needs 1 to " + GgufParser.MAX_DIMS + " dimensions, got " + dims.length);
		}
		long elements = 1;
		for (long dim : dims) {
			if (dim < 0) {
				throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension " + dim);
			}
			elements = Math.multiplyExact(elements, dim);
		}
		if (!type.fitsBlocks(dims[0])) {
			throw new IllegalArgumentException("tensor '" + name + "' rows of " + dims[0] + " elements are not whole "
					+ type + " blocks of " + type.blockSize());
		}
		return new PendingTensor(name, type, dims.clone(), type.byteSize(elements), content);
	}

	private GgufWriter add(PendingTensor tensor) {
		if (tensors.putIfAbsent(tensor.name(), tensor) != null) {
			throw new IllegalArgumentException("duplicate tensor name '" + tensor.name() + "'");
		}
		return this;
	}

	/** Writes the file, replacing {@code path} if it exists. */
	public void write(Path path) throws IOException {
		try (CountingStream out = new CountingStream(new BufferedOutputStream(Files.newOutputStream(path), 1 << 16))) {
			out.u32(GgufParser.MAGIC);
			out.u32(version);
			out.u64(tensors.size());
			out.u64(metadata.size());
			for (var entry : metadata.entrySet()) {
				out.string(entry.getKey());
				out.u32(entry.getValue().type().id());
				value(out, entry.getValue());
			}
			long relative = 0;
			List<Long> offsets = new ArrayList<>();
			for (PendingTensor t : tensors.values()) {
				out.string(t.name());
				out.u32(t.dims().length);
				for (long dim : t.dims()) {
					out.u64(dim);
				}
				out.u32(t.type().id());
				out.u64(relative);
				offsets.add(relative);
				relative = alignUp(relative + t.byteSize());
			}
			out.pad(alignUp(out.count()) - out.count());
			long dataStart = out.count();
			int i = 0;
			for (PendingTensor t : tensors.values()) {
				long start = dataStart + offsets.get(i++);
				out.pad(start - out.count());
				t.content().writeTo(out);
				if (out.count() - start != t.byteSize()) {
					throw new IOException("tensor '" + t.name() + "' content wrote " + (out.count() - start)
							+ " bytes, expected " + t.byteSize());
				}
			}
			out.pad(alignUp(out.count()) - out.count());
		}
	}

	private long alignUp(long offset) {
		return GgufParser.alignUp(offset, alignment);
	}

	private static void value(CountingStream out, GgufValue value) throws IOException {
		if (value instanceof GgufValue.Int i) {
			switch (i.type()) {
				case UINT8, INT8 -> out.write((int) i.value());
				case UINT16, INT16 -> out.u16((int) i.value());
				case UINT32, INT32 -> out.u32((int) i.value());
				default -> out.u64(i.value());
			}
		}
		else if (value instanceof GgufValue.Real r) {
			if (r.type() == GgufValueType.FLOAT32) {
				out.u32(Float.floatToRawIntBits((float) r.value()));
			}
			else {
				out.u64(Double.doubleToRawLongBits(r.value()));
			}
		}
		else if (value instanceof GgufValue.Bool b) {
			out.write(b.value() ? 1 : 0);
		}
		else if (value instanceof GgufValue.Text t) {
			out.string(t.value());
		}
		else if (value instanceof GgufValue.Array a) {
			out.u32(a.elementType().id());
			out.u64(a.size());
			for (GgufValue element : a.elements()) {
				value(out, element);
			}
		}
	}

	/** A little-endian output stream that counts the bytes written. */
	private static final class CountingStream extends FilterOutputStream {

		private long count;

		CountingStream(OutputStream out) {
			super(out);
		}

		long count() {
			return count;
		}

		@Override
		public void write(int b) throws IOException {
			out.write(b);
			count++;
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			out.write(b, off, len);
			count += len;
		}

		void u16(int v) throws IOException {
			write(v);
			write(v >>> 8);
		}

		void u32(int v) throws IOException {
			u16(v);
			u16(v >>> 16);
		}

		void u64(long v) throws IOException {
			u32((int) v);
			u32((int) (v >>> 32));
		}

		void string(String s) throws IOException {
			byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
			u64(bytes.length);
			write(bytes, 0, bytes.length);
		}

		void pad(long bytes) throws IOException {
			for (long i = 0; i < bytes; i++) {
				write(0);
			}
		}

	}

}
