package dev.llcuda.nativelib;

/**
 * Told, on the loading thread, how many bytes of a model's weights the native library has
 * copied into the model's memory so far; {@code bytes} grows to {@code totalBytes}. It
 * must return quickly.
 */
@FunctionalInterface
public interface WeightsProgress {

	WeightsProgress NONE = (bytes, totalBytes) -> {
	};

	void copied(long bytes, long totalBytes);

}
