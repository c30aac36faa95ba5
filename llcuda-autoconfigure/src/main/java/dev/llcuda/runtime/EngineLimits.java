package dev.llcuda.runtime;

import org.jspecify.annotations.Nullable;

import dev.llcuda.gpu.DeviceProfile;
import dev.llcuda.engine.KvType;

/**
 * The engine limits in effect: each explicit setting, else the device profile's value.
 *
 * @param maxRunningSequences sequences decoded together
 * @param maxTokensPerStep token budget of one step
 * @param maxQueued requests waiting before new ones are refused
 * @param kvBlockSize positions per KV block
 * @param kvType element type of the KV cache
 * @param kvBlocks explicit block count, or null to size from {@code kvMemoryBytes}
 * @param kvMemoryBytes memory for the KV cache when {@code kvBlocks} is null
 * @param cpuThreads CPU backend threads (0: all cores)
 */
public record EngineLimits(int maxRunningSequences, int maxTokensPerStep, int maxQueued, int kvBlockSize, KvType kvType,
		@Nullable Integer kvBlocks, long kvMemoryBytes, int cpuThreads) {

	public EngineLimits {
		requirePositive("max-running-sequences", maxRunningSequences);
		requirePositive("max-tokens-per-step", maxTokensPerStep);
		requirePositive("kv-block-size", kvBlockSize);
		requirePositive("kv-memory", kvMemoryBytes);
		if (kvBlocks != null) {
			requirePositive("kv-blocks", kvBlocks);
		}
		if (maxQueued < 0) {
			throw new IllegalArgumentException("llcuda.engine.max-queued must not be negative, got " + maxQueued);
		}
	}

	/** Explicit values over the profile's. */
	public static EngineLimits of(DeviceProfile profile, @Nullable Integer maxRunningSequences,
			@Nullable Integer maxTokensPerStep, int maxQueued, int kvBlockSize, KvType kvType,
			@Nullable Integer kvBlocks, @Nullable Long kvMemoryBytes, int cpuThreads) {
		return new EngineLimits(maxRunningSequences != null ? maxRunningSequences : profile.maxRunningSequences(),
				maxTokensPerStep != null ? maxTokensPerStep : profile.maxTokensPerStep(), maxQueued, kvBlockSize,
				kvType, kvBlocks, kvMemoryBytes != null ? kvMemoryBytes : profile.kvMemoryBytes(), cpuThreads);
	}

	private static void requirePositive(String property, long value) {
		if (value <= 0) {
			throw new IllegalArgumentException("llcuda.engine." + property + " must be positive, got " + value);
		}
	}
}
