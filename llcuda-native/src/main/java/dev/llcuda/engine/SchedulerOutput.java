package dev.llcuda.engine;

import java.util.List;

/**
 * One step's plan: the chunks to compute in batch order (decodes first, then prompt
 * chunks), the sequences preempted to make room, and those admitted from the queue.
 */
record SchedulerOutput(List<ScheduledChunk> chunks, List<Sequence> preempted, List<Sequence> admitted) {

	boolean isEmpty() {
		return chunks.isEmpty();
	}

	int totalTokens() {
		int total = 0;
		for (ScheduledChunk chunk : chunks) {
			total += chunk.numTokens();
		}
		return total;
	}
}
