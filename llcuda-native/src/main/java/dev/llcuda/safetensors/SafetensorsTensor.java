package dev.llcuda.safetensors;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a safetensors file.
 *
 * @param file the file holding it
 * @param name its name in the header, e.g. {@code model.layers.0.self_attn.q_proj.weight}
 * @param dtype the element type
 * @param shape the shape as the header lists it, OUTERMOST first (row-major: the last
 * dimension is contiguous)
 * @param offset the ABSOLUTE file offset of its first byte
 * @param byteSize its size in bytes ({@code elements × dtype bytes})
 */
public record SafetensorsTensor(Path file, String name, SafetensorsDtype dtype, long[] shape, long offset,
		long byteSize) {

	public SafetensorsTensor {
		Objects.requireNonNull(file, "file");
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(dtype, "dtype");
		shape = shape.clone();
	}

	/** A copy of the shape, outermost first. */
	@Override
	public long[] shape() {
		return shape.clone();
	}

	/** The number of elements (1 for a scalar of shape {@code []}). */
	public long elementCount() {
		long count = 1;
		for (long dim : shape) {
			count = Math.multiplyExact(count, dim);
		}
		return count;
	}

	/** The shape innermost first, as GGUF lists it ({@code [1]} for a scalar). */
	public long[] ggufDims() {
		if (shape.length == 0) {
			return new long[] { 1 };
		}
		long[] dims = new long[shape.length];
		for (int i = 0; i < shape.length; i++) {
			dims[i] = shape[shape.length - 1 - i];
		}
		return dims;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof SafetensorsTensor t && file.equals(t.file) && name.equals(t.name) && dtype == t.dtype
				&& Arrays.equals(shape, t.shape) && offset == t.offset && byteSize == t.byteSize;
	}

	@Override
	public int hashCode() {
		return Objects.hash(file, name, dtype, Arrays.hashCode(shape), offset, byteSize);
	}

	@Override
	public String toString() {
		return name + " " + dtype + " " + Arrays.toString(shape) + " @" + offset + " (" + byteSize + " bytes) in "
				+ file.getFileName();
	}
}
