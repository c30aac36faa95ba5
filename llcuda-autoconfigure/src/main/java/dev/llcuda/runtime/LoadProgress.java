package dev.llcuda.runtime;

import java.nio.file.Path;
import java.time.Instant;

import dev.llcuda.engine.LoadListener;

/**
 * How far the model being loaded is: its file, the phase, and while the file is
 * checksummed or the weights are copied the bytes done of their total ({@code totalBytes}
 * -1: not known in this phase).
 */
public record LoadProgress(Path file, LoadListener.Phase phase, long bytes, long totalBytes, Instant startedAt) {

	/** Percent of the bytes done, or -1 while no total is known. */
	public double percent() {
		return this.totalBytes > 0 ? 100.0 * this.bytes / this.totalBytes : -1;
	}
}
