package dev.llcuda.nativelib;

/** {@code llcuda_backend_kind}. */
public enum BackendKind {

	CPU(0), CUDA(1);

	private final int code;

	BackendKind(int code) {
		this.code = code;
	}

	int code() {
		return code;
	}

	static BackendKind of(int code) {
		for (BackendKind kind : values()) {
			if (kind.code == code) {
				return kind;
			}
		}
		throw new IllegalArgumentException("unknown llcuda_backend_kind " + code);
	}

}
