package dev.llcuda.nativelib;

/** {@code llcuda_status}: the result of every native call. */
public enum Status {

	OK(0), INVALID_ARGUMENT(1), OUT_OF_MEMORY(2), IO(3), UNSUPPORTED(4), DEVICE(5), INTERNAL(6), FAILED_STATE(7),
	/**
	 * A code this binding does not know (a library newer than its ABI version claims).
	 */
	UNKNOWN(-1);

	private final int code;

	Status(int code) {
		this.code = code;
	}

	public int code() {
		return code;
	}

	static Status of(int code) {
		for (Status status : values()) {
			if (status.code == code) {
				return status;
			}
		}
		return UNKNOWN;
	}

}
