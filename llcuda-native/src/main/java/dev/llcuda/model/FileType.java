package dev.llcuda.model;

import java.util.Arrays;
import java.util.Optional;

/**
 * The {@code general.file_type} values (llama.cpp's {@code llama_ftype}): the dominant
 * weight type. {@link #NF4} (100) is llcuda's own, like the
 * {@link dev.llcuda.gguf.GgmlType#NF4} tensor type.
 */
public enum FileType {

	F32(0), F16(1), Q4_0(2), Q4_1(3), Q8_0(7), Q5_0(8), Q5_1(9), Q2_K(10), Q3_K_S(11), Q3_K_M(12), Q3_K_L(13),
	Q4_K_S(14), Q4_K_M(15), Q5_K_S(16), Q5_K_M(17), Q6_K(18), IQ2_XXS(19), IQ2_XS(20), Q2_K_S(21), IQ3_XS(22),
	IQ3_XXS(23), IQ1_S(24), IQ4_NL(25), IQ3_S(26), IQ3_M(27), IQ2_S(28), IQ2_M(29), IQ4_XS(30), IQ1_M(31), BF16(32),
	TQ1_0(36), TQ2_0(37), MXFP4_MOE(38), NF4(100);

	/** The metadata key holding the file type. */
	public static final String KEY = "general.file_type";

	private final int id;

	FileType(int id) {
		this.id = id;
	}

	public int id() {
		return id;
	}

	public static Optional<FileType> byId(long id) {
		return Arrays.stream(values()).filter(t -> t.id == id).findFirst();
	}

	/**
	 * The name of file type {@code id}, e.g. {@code Q4_K_M}, or {@code "file type N"} if
	 * unknown.
	 */
	public static String label(long id) {
		return byId(id).map(Enum::name).orElse("file type " + id);
	}

}
