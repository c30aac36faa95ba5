package dev.llcuda.gguf;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a GGUF header (magic, version, counts, metadata, tensor infos) field by field as
 * the specification lays it out, validating every field against the file before it is
 * used.
 */
final class GgufParser {

	/** The header as parsed: everything but the tensor data. */
	record Header(int version, long alignment, long dataOffset, GgufMetadata metadata, List<TensorInfo> tensors) {
	}

	static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
	static final long DEFAULT_ALIGNMENT = 32;
	static final String ALIGNMENT_KEY = "general.alignment";

	/** ggml's GGML_MAX_DIMS. */
	static final int MAX_DIMS = 4;

	/** Arrays of arrays deeper than this are refused (real files nest at most once). */
	static final int MAX_ARRAY_NESTING = 8;

	private final HeaderReader in;

	private int nestedArrays;

	private GgufParser(HeaderReader in) {
		this.in = in;
	}

	/**
	 * Parses the header of a file of {@code fileSize} bytes whose first bytes are in
	 * {@code header}.
	 */
	static Header parse(Path path, ByteBuffer header, long fileSize) throws GgufFormatException {
		return new GgufParser(new HeaderReader(path, header, fileSize)).header();
	}

	private Header header() throws GgufFormatException {
		// magic: uint32 "GGUF"
		long magic = in.u32("magic");
		if (magic != MAGIC) {
			throw in.error(0,
					String.format("not a GGUF file: magic is 0x%08x, expected 0x%08x (\"GGUF\")", magic, MAGIC));
		}
		// version: uint32; v1 used 32-bit counts and is not supported, v2 and v3 share
		// one layout
		long version = in.u32("version");
		if (version != 2 && version != 3) {
			String hint = version != 0 && (version & 0xFFFF) == 0 ? " (a big-endian file?)" : "";
			throw in.error(4, "unsupported GGUF version " + version + hint + "; versions 2 and 3 are supported");
		}
		// tensor_count, metadata_kv_count: uint64
		int tensorCount = in.count("tensor count", 24, GgufLimit.MAX_TENSORS);
		int kvCount = in.count("metadata key-value count", 13, GgufLimit.MAX_METADATA_KV);

		long metadataStart = in.offset();
		GgufMetadata metadata = new GgufMetadata(in.path(), metadataEntries(kvCount, metadataStart));
		long alignment = alignment(metadata);

		List<RawTensor> raw = new ArrayList<>(tensorCount);
		Map<String, Long> names = new HashMap<>();
		for (int i = 0; i < tensorCount; i++) {
			RawTensor tensor = tensorInfo(i);
			Long first = names.putIfAbsent(tensor.name(), tensor.infoAt());
			if (first != null) {
				throw in.error(tensor.infoAt(),
						"duplicate tensor name '" + tensor.name() + "' (first at byte offset " + first + ")");
			}
			raw.add(tensor);
		}
		// the data section starts at the next multiple of the alignment
		long dataOffset = alignUp(in.offset(), alignment);
		List<TensorInfo> tensors = new ArrayList<>(tensorCount);
		for (RawTensor tensor : raw) {
			tensors.add(placed(tensor, dataOffset, alignment));
		}
		checkDisjoint(raw, tensors);
		return new Header((int) version, alignment, dataOffset, metadata, List.copyOf(tensors));
	}

	/** A tensor info as read, its offset still relative to the data section. */
	private record RawTensor(String name, GgmlType type, long[] dims, long relativeOffset, long byteSize, long infoAt,
			long offsetFieldAt) {
	}

	private LinkedHashMap<String, GgufMetadata.Entry> metadataEntries(int count, long start)
			throws GgufFormatException {
		LinkedHashMap<String, GgufMetadata.Entry> entries = new LinkedHashMap<>();
		for (int i = 0; i < count; i++) {
			// key: string, value_type: uint32, value
			long keyAt = in.offset();
			String key = in.string("metadata key #" + i, GgufLimit.MAX_KEY_BYTES);
			GgufMetadata.Entry earlier = entries.get(key);
			if (earlier != null) {
				throw in.error(keyAt,
						"duplicate metadata key '" + key + "' (first value at byte offset " + earlier.offset() + ")");
			}
			long typeAt = in.offset();
			GgufValueType type = valueType(in.u32("type of metadata key '" + key + "'"), typeAt, key);
			long valueAt = in.offset();
			entries.put(key, new GgufMetadata.Entry(key, value(type, "value of '" + key + "'", 0), valueAt));
			GgufLimit.MAX_METADATA_BYTES.check(in.offset() - start, keyAt,
					"metadata section (bytes up to the end of '" + key + "')", in);
		}
		return entries;
	}

	private GgufValueType valueType(long id, long at, String key) throws GgufFormatException {
		return GgufValueType.byId(id)
			.orElseThrow(() -> in.error(at, "unknown metadata value type " + id + " for key '" + key + "'"));
	}

	private GgufValue value(GgufValueType type, String what, int depth) throws GgufFormatException {
		return switch (type) {
			case UINT8 -> new GgufValue.Int(type, in.u8(what));
			case INT8 -> new GgufValue.Int(type, in.i8(what));
			case UINT16 -> new GgufValue.Int(type, in.u16(what));
			case INT16 -> new GgufValue.Int(type, in.i16(what));
			case UINT32 -> new GgufValue.Int(type, in.u32(what));
			case INT32 -> new GgufValue.Int(type, in.i32(what));
			case UINT64, INT64 -> new GgufValue.Int(type, in.u64(what));
			case FLOAT32 -> new GgufValue.Real(type, in.f32(what));
			case FLOAT64 -> new GgufValue.Real(type, in.f64(what));
			case BOOL -> new GgufValue.Bool(bool(what));
			case STRING -> new GgufValue.Text(in.string(what, GgufLimit.MAX_STRING_BYTES));
			case ARRAY -> array(what, depth + 1);
		};
	}

	private boolean bool(String what) throws GgufFormatException {
		long at = in.offset();
		int value = in.u8(what);
		if (value > 1) {
			throw in.error(at, what + " is a bool of value " + value + ", expected 0 or 1");
		}
		return value == 1;
	}

	private GgufValue.Array array(String what, int depth) throws GgufFormatException {
		long at = in.offset();
		if (depth > MAX_ARRAY_NESTING) {
			throw in.error(at, what + " nests arrays deeper than " + MAX_ARRAY_NESTING + " levels");
		}
		// type: uint32 element type, len: uint64, then len values without type tags
		long typeId = in.u32(what + " element type");
		GgufValueType type = GgufValueType.byId(typeId)
			.orElseThrow(() -> in.error(at, "unknown array element type " + typeId + " in " + what));
		int count = in.count(what + " element count", type.minBytes(), GgufLimit.MAX_ARRAY_LENGTH);
		return new GgufValue.Array(type, switch (type) {
			case ARRAY -> nestedArrays(what, count, depth);
			case STRING -> strings(what, count);
			default -> scalars(type, what, count);
		});
	}

	private List<GgufValue> nestedArrays(String what, int count, int depth) throws GgufFormatException {
		// grown as elements are read: presizing every level by its count could, nested,
		// ask for several times the file
		List<GgufValue> elements = new ArrayList<>(Math.min(count, 1024));
		for (int i = 0; i < count; i++) {
			if (++nestedArrays > GgufLimit.MAX_NESTED_ARRAYS.value()) {
				GgufLimit.MAX_NESTED_ARRAYS.check(nestedArrays, in.offset(),
						"nested arrays (with " + what + "[" + i + "])", in);
			}
			elements.add(array(what + "[" + i + "]", depth + 1));
		}
		return elements;
	}

	private EncodedArray strings(String what, int count) throws GgufFormatException {
		int start = (int) in.offset();
		int[] starts = new int[count];
		for (int i = 0; i < count; i++) {
			int index = i;
			starts[i] = (int) in.offset() - start;
			in.skip(in.stringLength(() -> what + "[" + index + "]", GgufLimit.MAX_STRING_BYTES));
		}
		return EncodedArray.strings(in.slice(start), starts);
	}

	private EncodedArray scalars(GgufValueType type, String what, int count) throws GgufFormatException {
		int start = (int) in.offset();
		int bytes = count * type.minBytes();
		in.need(bytes, what); // count() already checked these bytes remain
		in.skip(bytes);
		ByteBuffer elements = in.slice(start);
		if (type == GgufValueType.BOOL) {
			for (int i = 0; i < count; i++) {
				if ((elements.get(i) & 0xFF) > 1) {
					throw in.error(start + i,
							what + "[" + i + "] is a bool of value " + (elements.get(i) & 0xFF) + ", expected 0 or 1");
				}
			}
		}
		return EncodedArray.scalars(type, elements, count);
	}

	private long alignment(GgufMetadata metadata) throws GgufFormatException {
		if (!metadata.contains(ALIGNMENT_KEY)) {
			return DEFAULT_ALIGNMENT;
		}
		long alignment = metadata.requireInteger(ALIGNMENT_KEY);
		if (alignment <= 0 || Long.bitCount(alignment) != 1) {
			throw in.error(metadata.offset(ALIGNMENT_KEY).getAsLong(),
					ALIGNMENT_KEY + " = " + alignment + " is not a power of two");
		}
		return alignment;
	}

	/** {@code offset} rounded up to a multiple of {@code alignment}, a power of two. */
	static long alignUp(long offset, long alignment) {
		return (offset + alignment - 1) & -alignment;
	}

	private RawTensor tensorInfo(int i) throws GgufFormatException {
		// name: string, n_dimensions: uint32, dimensions: uint64[n], type: uint32,
		// offset: uint64
		long at = in.offset();
		String name = in.string("name of tensor #" + i, GgufLimit.MAX_TENSOR_NAME_BYTES);
		long rank = in.u32("dimension count of tensor '" + name + "'");
		if (rank < 1 || rank > MAX_DIMS) {
			throw in.error(at, "tensor '" + name + "' has " + rank + " dimensions; 1 to " + MAX_DIMS + " are allowed");
		}
		long[] dims = new long[(int) rank];
		long elements = 1;
		for (int d = 0; d < rank; d++) {
			long dimAt = in.offset();
			dims[d] = in.u64("dimension " + d + " of tensor '" + name + "'");
			if (dims[d] < 0) {
				throw in.error(dimAt, "dimension " + d + " of tensor '" + name + "' is "
						+ Long.toUnsignedString(dims[d]) + ", larger than " + Long.MAX_VALUE);
			}
			try {
				elements = Math.multiplyExact(elements, dims[d]);
			}
			catch (ArithmeticException e) {
				throw in.error(dimAt, "the element count of tensor '" + name + "' "
						+ Arrays.toString(Arrays.copyOf(dims, d + 1)) + " overflows 64 bits");
			}
		}
		long typeAt = in.offset();
		GgmlType type = GgmlType.byId(in.u32("type of tensor '" + name + "'"), in.path(), typeAt);
		if (!type.fitsBlocks(dims[0])) {
			throw in.error(typeAt, "tensor '" + name + "' has rows of " + dims[0] + " elements, not a multiple of the "
					+ type + " block size " + type.blockSize());
		}
		long size;
		try {
			size = type.byteSize(elements);
		}
		catch (ArithmeticException e) {
			throw in.error(typeAt, "the byte size of tensor '" + name + "' overflows 64 bits");
		}
		long offsetAt = in.offset();
		long offset = in.u64("data offset of tensor '" + name + "'");
		return new RawTensor(name, type, dims, offset, size, at, offsetAt);
	}

	/**
	 * No two tensors may share bytes (llama.cpp goes further and wants them back to back
	 * in order; any order is accepted here). Reports the tensor that starts inside
	 * another, at its offset field.
	 */
	private void checkDisjoint(List<RawTensor> raw, List<TensorInfo> placed) throws GgufFormatException {
		Integer[] byStart = new Integer[placed.size()];
		for (int i = 0; i < byStart.length; i++) {
			byStart[i] = i;
		}
		Arrays.sort(byStart, (a, b) -> Long.compare(placed.get(a).offset(), placed.get(b).offset()));
		TensorInfo reaching = null; // of the tensors so far, the one that ends last
		for (int i : byStart) {
			TensorInfo t = placed.get(i);
			if (reaching != null && t.byteSize() > 0 && t.offset() < end(reaching)) {
				throw in.error(raw.get(i).offsetFieldAt(),
						"tensor '" + t.name() + "' (bytes " + t.offset() + " to " + end(t)
								+ " of the file) overlaps tensor '" + reaching.name() + "' (bytes " + reaching.offset()
								+ " to " + end(reaching) + ")");
			}
			if (reaching == null || end(t) > end(reaching)) {
				reaching = t;
			}
		}
	}

	private static long end(TensorInfo t) {
		return t.offset() + t.byteSize();
	}

	/**
	 * Checks that the tensor lies aligned inside the file and gives it its absolute
	 * offset.
	 */
	private TensorInfo placed(RawTensor t, long dataOffset, long alignment) throws GgufFormatException {
		String offset = Long.toUnsignedString(t.relativeOffset());
		if (t.relativeOffset() < 0 || t.relativeOffset() % alignment != 0) {
			throw in.error(t.offsetFieldAt(), "tensor '" + t.name() + "' has data offset " + offset
					+ ", not a multiple of the alignment " + alignment);
		}
		long start = dataOffset + t.relativeOffset(); // a sum past Long.MAX_VALUE shows
														// as negative
		if (start < 0 || start > in.fileSize() || t.byteSize() > in.fileSize() - start) {
			throw in.error(t.offsetFieldAt(),
					"tensor '" + t.name() + "' (" + t.byteSize() + " bytes at data offset " + offset + ", file offset "
							+ Long.toUnsignedString(start) + ") lies outside the file of " + in.fileSize() + " bytes");
		}
		return new TensorInfo(t.name(), t.type(), t.dims(), start, t.byteSize());
	}

}
