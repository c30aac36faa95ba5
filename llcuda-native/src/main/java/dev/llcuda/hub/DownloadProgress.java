package dev.llcuda.hub;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How far a download is: bytes on disk (a resumed download counts what it had), the total
 * the hub announced (-1: unknown), the rate of this attempt and the time left at that
 * rate (null: unknown).
 */
public record DownloadProgress(long bytes, long totalBytes, double bytesPerSecond, @Nullable Duration eta) {

	/** Percent done, or -1 when the total is unknown. */
	public double percent() {
		return this.totalBytes > 0 ? 100.0 * this.bytes / this.totalBytes : -1;
	}

	static DownloadProgress of(long bytes, long totalBytes, long attemptBytes, long attemptNanos) {
		double rate = attemptNanos > 0 ? attemptBytes * 1e9 / attemptNanos : 0;
		Duration eta = totalBytes >= 0 && rate > 0 ? Duration.ofSeconds((long) Math.ceil((totalBytes - bytes) / rate))
				: null;
		return new DownloadProgress(bytes, totalBytes, rate, eta);
	}
}
