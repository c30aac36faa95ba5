package dev.llcuda.safetensors;

import dev.llcuda.gguf.GgmlType;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The element types a safetensors header names ({@code "dtype"}), with their sizes in
 * bytes.
 */
public enum SafetensorsDtype {

	F64(8, GgmlType.F64), F32(4, GgmlType.F32), F16(2, GgmlType.F16), BF16(2, GgmlType.BF16), F8_E4M3(1, null),
	F8_E5M2(1, null), I64(8, GgmlType.I64), I32(4, GgmlType.I32), I16(2, GgmlType.I16), I8(1, GgmlType.I8),
	U64(8, null), U32(4, null), U16(2, null), U8(1, null), BOOL(1, null);

	private final int bytes;

	private final @Nullable GgmlType ggmlType;

	SafetensorsDtype(int bytes, @Nullable GgmlType ggmlType) {
		this.bytes = bytes;
		this.ggmlType = ggmlType;
	}

	/** Bytes per element. */
	public int bytes() {
		return bytes;
	}

	/** The ggml type with the same element layout, if there is one. */
	public Optional<GgmlType> ggmlType() {
		return Optional.ofNullable(ggmlType);
	}

	/** The dtype spelled {@code name} in a header, or empty. */
	static Optional<SafetensorsDtype> byName(String name) {
		return Arrays.stream(values()).filter(d -> d.name().equals(name)).findFirst();
	}

	static String names() {
		return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
	}

}
