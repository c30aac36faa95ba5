package dev.llcuda.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.Objects;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * The elements of a scalar or string metadata array, kept as the file's bytes and decoded
 * on access, so that a huge array costs no more memory than its bytes (plus one int per
 * string).
 */
final class EncodedArray extends AbstractList<GgufValue> implements RandomAccess {

	private final GgufValueType type;

	private final ByteBuffer bytes;

	private final int size;

	private final int @Nullable [] stringStarts; // STRING only: where each element's
													// length prefix starts

	private EncodedArray(GgufValueType type, ByteBuffer bytes, int size, int @Nullable [] stringStarts) {
		this.type = type;
		this.bytes = bytes.order(ByteOrder.LITTLE_ENDIAN);
		this.size = size;
		this.stringStarts = stringStarts;
	}

	/**
	 * {@code size} fixed-size elements of {@code type} (not STRING or ARRAY) laid out in
	 * {@code bytes}.
	 */
	static EncodedArray scalars(GgufValueType type, ByteBuffer bytes, int size) {
		return new EncodedArray(type, bytes, size, null);
	}

	/**
	 * Strings laid out in {@code bytes}, element i's length prefix at {@code starts[i]}.
	 */
	static EncodedArray strings(ByteBuffer bytes, int[] starts) {
		return new EncodedArray(GgufValueType.STRING, bytes, starts.length, starts);
	}

	@Override
	public int size() {
		return size;
	}

	@Override
	public GgufValue get(int index) {
		if (index < 0 || index >= size) {
			throw new IndexOutOfBoundsException("index " + index + " of " + size);
		}
		if (type == GgufValueType.STRING) {
			int start = Objects.requireNonNull(stringStarts)[index]; // set for STRING
																		// arrays
			byte[] text = new byte[(int) bytes.getLong(start)];
			bytes.get(start + 8, text);
			return new GgufValue.Text(new String(text, StandardCharsets.UTF_8));
		}
		int at = index * type.minBytes();
		return switch (type) {
			case UINT8 -> new GgufValue.Int(type, bytes.get(at) & 0xFFL);
			case INT8 -> new GgufValue.Int(type, bytes.get(at));
			case UINT16 -> new GgufValue.Int(type, bytes.getShort(at) & 0xFFFFL);
			case INT16 -> new GgufValue.Int(type, bytes.getShort(at));
			case UINT32 -> new GgufValue.Int(type, bytes.getInt(at) & 0xFFFF_FFFFL);
			case INT32 -> new GgufValue.Int(type, bytes.getInt(at));
			case UINT64, INT64 -> new GgufValue.Int(type, bytes.getLong(at));
			case FLOAT32 -> new GgufValue.Real(type, bytes.getFloat(at));
			case FLOAT64 -> new GgufValue.Real(type, bytes.getDouble(at));
			case BOOL -> new GgufValue.Bool(bytes.get(at) != 0);
			case STRING, ARRAY -> throw new IllegalStateException(type + " is not a scalar type");
		};
	}

}
