package dev.llcuda.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a GGUF file.
 *
 * @param name the tensor's name, e.g. {@code blk.0.attn_q.weight}
 * @param type the element type
 * @param dims the shape, innermost (ne0, the contiguous row) first; 1 to 4 dimensions
 * @param offset the ABSOLUTE file offset of the tensor's first byte
 * @param byteSize the tensor's size in bytes
 */
public record TensorInfo(String name, GgmlType type, long[] dims, long offset, long byteSize) {

	public TensorInfo {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(type, "type");
		dims = dims.clone();
	}

	/** A copy of the shape, innermost first. */
	@Override
	public long[] dims() {
		return dims.clone();
	}

	public int rank() {
		return dims.length;
	}

	/** Dimension {@code i}, 1 beyond the rank (as ggml treats missing dimensions). */
	public long dim(int i) {
		return i < dims.length ? dims[i] : 1;
	}

	/** The number of elements (the product of the dimensions). */
	public long elementCount() {
		long count = 1;
		for (long dim : dims) {
			count = Math.multiplyExact(count, dim);
		}
		return count;
	}

	/** Whether the shape equals {@code expected}, ignoring trailing dimensions of 1. */
	public boolean hasShape(long... expected) {
		for (int i = 0; i < Math.max(4, Math.max(expected.length, dims.length)); i++) {
			if (dim(i) != (i < expected.length ? expected[i] : 1)) {
				return false;
			}
		}
		return true;
	}

	/** The shape as {@code [256, 512]}. */
	public String shape() {
		return Arrays.toString(dims);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof TensorInfo t && name.equals(t.name) && type == t.type && Arrays.equals(dims, t.dims)
				&& offset == t.offset && byteSize == t.byteSize;
	}

	@Override
	public int hashCode() {
		return Objects.hash(name, type, Arrays.hashCode(dims), offset, byteSize);
	}

	@Override
	public String toString() {
		return name + " " + type + " " + shape() + " @" + offset + " (" + byteSize + " bytes)";
	}
}
