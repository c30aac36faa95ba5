package dev.llcuda.gpu;

/** A CUDA compute capability such as 7.5 (sm_75, Tesla T4). */
public record ComputeCapability(int major, int minor) implements Comparable<ComputeCapability> {

	/** The oldest architecture llcuda's kernels are built for (Turing, sm_75). */
	public static final ComputeCapability MINIMUM = new ComputeCapability(7, 5);

	public boolean isSupported() {
		return compareTo(MINIMUM) >= 0;
	}

	@Override
	public int compareTo(ComputeCapability other) {
		return this.major != other.major ? Integer.compare(this.major, other.major)
				: Integer.compare(this.minor, other.minor);
	}

	/** "sm_75". */
	public String smName() {
		return "sm_" + this.major + this.minor;
	}

	@Override
	public String toString() {
		return this.major + "." + this.minor;
	}
}
