package dev.llcuda.gpu;

/** A GPU was required but none is usable; the message says why. */
public final class GpuRequiredException extends RuntimeException {

	public GpuRequiredException(String reason) {
		super("a GPU is required (llcuda.gpu.required=true) but " + reason);
	}

}
