package dev.llcuda.gguf;

import java.util.Locale;
import java.util.Optional;

/** The metadata value types of the GGUF specification, with their ids in the file. */
public enum GgufValueType {

	UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4), BOOL(7, 1),
	STRING(8, 8), // the size is that of the length prefix: the least a string takes
	ARRAY(9, 12), // element type (u32) and count (u64): the least an array takes
	UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

	private static final GgufValueType[] BY_ID = new GgufValueType[13];

	static {
		for (GgufValueType type : values()) {
			BY_ID[type.id] = type;
		}
	}

	private final int id;

	private final int minBytes;

	GgufValueType(int id, int minBytes) {
		this.id = id;
		this.minBytes = minBytes;
	}

	/** The id written in the file. */
	public int id() {
		return id;
	}

	/**
	 * The fewest bytes a value of this type occupies in a file (exact for fixed-size
	 * types).
	 */
	public int minBytes() {
		return minBytes;
	}

	public boolean isInteger() {
		return switch (this) {
			case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
			default -> false;
		};
	}

	public boolean isReal() {
		return this == FLOAT32 || this == FLOAT64;
	}

	/** The type with this id, empty for ids the specification does not define. */
	public static Optional<GgufValueType> byId(long id) {
		return id >= 0 && id < BY_ID.length ? Optional.of(BY_ID[(int) id]) : Optional.empty();
	}

	/** The lower-case name shown by {@code inspect}, e.g. {@code uint32}. */
	public String displayName() {
		return name().toLowerCase(Locale.ROOT);
	}

}
