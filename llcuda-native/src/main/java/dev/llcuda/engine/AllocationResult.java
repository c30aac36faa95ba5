package dev.llcuda.engine;

/**
 * Outcome of asking the KV manager for room: running out of blocks is a value, not an
 * exception.
 */
sealed interface AllocationResult {

	/**
	 * Slots are reserved; {@code newBlocks} freshly allocated blocks were added to the
	 * sequence.
	 */
	record Allocated(int newBlocks) implements AllocationResult {
	}

	/**
	 * Not enough free blocks: {@code needed} more were required while {@code free} could
	 * be had.
	 */
	record NoRoom(int needed, int free) implements AllocationResult {
	}

}
