package dev.llcuda.gpu;

/**
 * Engine defaults sized for a kind of device; explicit settings override each of them.
 *
 * @param name profile name shown in health and logs
 * @param maxRunningSequences sequences decoded together in one step
 * @param maxTokensPerStep token budget of one step (decode tokens plus prefill chunks)
 * @param kvMemoryBytes memory for the KV cache, capped later by what the weights leave
 * free
 */
public record DeviceProfile(String name, int maxRunningSequences, int maxTokensPerStep, long kvMemoryBytes) {

	private static final long GIB = 1L << 30;

	private static final long MIB = 1L << 20;

	/**
	 * Tesla T4 (sm_75, 16 GB, 320 GB/s): 6 GiB of KV cache leave room for 7B Q4_K_M
	 * weights (about 4 GiB) plus activations within the ~15 GiB usable; that is about 12k
	 * positions of a Llama-2-7B shape at F16 (0.5 MiB each), enough for 32 sequences of
	 * ~384 tokens. A step of 2048 tokens keeps one prefill chunk well under a second at
	 * the T4's FP16 tensor-core rate.
	 */
	public static DeviceProfile teslaT4() {
		return new DeviceProfile("tesla-t4", 32, 2048, 6 * GIB);
	}

	/**
	 * Other supported GPUs: 40% of device memory for the KV cache (the rest for weights
	 * and activations); large cards (40 GB and more) batch 64 sequences, Ampere and newer
	 * take 4096-token steps.
	 */
	public static DeviceProfile cuda(ComputeCapability capability, long memoryTotal) {
		int sequences = memoryTotal >= 40 * GIB ? 64 : 32;
		int stepTokens = capability.major() >= 8 ? 4096 : 2048;
		return new DeviceProfile("cuda-" + capability.smName(), sequences, stepTokens, memoryTotal * 2 / 5);
	}

	/**
	 * The CPU: few sequences and short steps keep per-token latency usable on a few
	 * cores.
	 */
	public static DeviceProfile cpu() {
		return new DeviceProfile("cpu", 4, 256, 512 * MIB);
	}

	/** The profile of a CUDA device. */
	public static DeviceProfile of(CudaDevice device) {
		boolean t4 = device.name().contains("T4") && device.capability().equals(ComputeCapability.MINIMUM);
		return t4 ? teslaT4() : cuda(device.capability(), device.memoryTotal());
	}
}
