package dev.llcuda.gguf;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The ggml tensor types with their ids in GGUF files, elements per block and bytes per
 * block. Ids that ggml retired (4, 5, 31-33, 36-38) are absent and rejected like unknown
 * ids. {@link #NF4} (id 100) is llcuda's own: bitsandbytes' NF4 weights in blocks of 64
 * (a float32 scale and 32 bytes of codes), which only llcuda reads and writes.
 */
public enum GgmlType {

	F32(0, 1, 4), F16(1, 1, 2), Q4_0(2, 32, 18), Q4_1(3, 32, 20), Q5_0(6, 32, 22), Q5_1(7, 32, 24), Q8_0(8, 32, 34),
	Q8_1(9, 32, 36), Q2_K(10, 256, 84), Q3_K(11, 256, 110), Q4_K(12, 256, 144), Q5_K(13, 256, 176), Q6_K(14, 256, 210),
	Q8_K(15, 256, 292), IQ2_XXS(16, 256, 66), IQ2_XS(17, 256, 74), IQ3_XXS(18, 256, 98), IQ1_S(19, 256, 50),
	IQ4_NL(20, 32, 18), IQ3_S(21, 256, 110), IQ2_S(22, 256, 82), IQ4_XS(23, 256, 136), I8(24, 1, 1), I16(25, 1, 2),
	I32(26, 1, 4), I64(27, 1, 8), F64(28, 1, 8), IQ1_M(29, 256, 56), BF16(30, 1, 2), TQ1_0(34, 256, 54),
	TQ2_0(35, 256, 66), MXFP4(39, 32, 17), NF4(100, 64, 36);

	private static final GgmlType[] BY_ID = new GgmlType[101];

	static {
		for (GgmlType type : values()) {
			BY_ID[type.id] = type;
		}
	}

	private final int id;

	private final int blockSize;

	private final int blockBytes;

	GgmlType(int id, int blockSize, int blockBytes) {
		this.id = id;
		this.blockSize = blockSize;
		this.blockBytes = blockBytes;
	}

	/** The id written in the file. */
	public int id() {
		return id;
	}

	/** Elements per block. */
	public int blockSize() {
		return blockSize;
	}

	/** Bytes per block. */
	public int blockBytes() {
		return blockBytes;
	}

	/**
	 * Whether llcuda's engine computes with this type (the others are readable, not
	 * runnable).
	 */
	public boolean supportedByEngine() {
		return switch (this) {
			case F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS, NF4 ->
				true;
			default -> false;
		};
	}

	/** Whether {@code elements} is a whole number of blocks. */
	public boolean fitsBlocks(long elements) {
		return elements >= 0 && elements % blockSize == 0;
	}

	/**
	 * Bytes of {@code elements} elements.
	 * @throws IllegalArgumentException if they are not a whole number of blocks
	 * @throws ArithmeticException if the size overflows a long
	 */
	public long byteSize(long elements) {
		if (!fitsBlocks(elements)) {
			throw new IllegalArgumentException(
					elements + " elements are not a whole number of " + name() + " blocks of " + blockSize);
		}
		return Math.multiplyExact(elements / blockSize, (long) blockBytes);
	}

	/** The type with this id; an id outside the table is a format error naming it. */
	public static GgmlType byId(int id) throws GgufFormatException {
		return byId(id, null, GgufFormatException.NO_OFFSET);
	}

	static GgmlType byId(long id, @Nullable Path path, long offset) throws GgufFormatException {
		if (id >= 0 && id < BY_ID.length && BY_ID[(int) id] != null) {
			return BY_ID[(int) id];
		}
		throw new GgufFormatException(path, offset, "unknown ggml tensor type id " + id);
	}

}
