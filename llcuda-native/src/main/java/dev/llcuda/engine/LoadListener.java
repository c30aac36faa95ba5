package dev.llcuda.engine;

/**
 * Told, on the loading thread, how far {@link ModelEngine#open} is: each phase as it
 * starts, and while the weights are copied the bytes copied so far of their total (0 of
 * -1 in the other phases). A file checksummed before it loads reports its bytes hashed
 * the same way.
 */
@FunctionalInterface
public interface LoadListener {

	LoadListener NONE = (phase, bytes, totalBytes) -> {
	};

	/** The steps of opening a model, in order. */
	enum Phase {

		/**
		 * The file's SHA-256 against the one recorded for it (the model registry's
		 * verification before a load, or on request); bytes hashed of the file's size.
		 */
		CHECKSUMMING,
		/** Header, tokenizer and chat template. */
		READING_FILE,
		/**
		 * The weights into memory the model owns (host memory, or the GPU through pinned
		 * staging).
		 */
		COPYING_WEIGHTS,
		/** KV cache allocation and the engine's start. */
		STARTING_ENGINE

	}

	void progress(Phase phase, long bytes, long totalBytes);

}
