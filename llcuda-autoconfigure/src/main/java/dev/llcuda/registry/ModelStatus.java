package dev.llcuda.registry;

/** Where a registered model stands. */
public enum ModelStatus {

	/** Recorded with its checksum; not loaded. */
	AVAILABLE,
	/** Loaded in the engine and serving. */
	ACTIVE,
	/**
	 * The file's SHA-256 no longer matches the recorded one; it is refused until
	 * re-registered.
	 */
	CHECKSUM_MISMATCH,
	/** The file is gone. */
	MISSING,
	/** Loading it failed; the status message says why. */
	FAILED

}
