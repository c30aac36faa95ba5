package dev.llcuda.registry;

import java.nio.file.Path;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.llcuda.hub.DownloadProgress;
import dev.llcuda.hub.HubFile;

/**
 * One download from the hub: its progress and outcome, updated by the downloading thread.
 */
public final class ModelPull {

	/** Where a pull is. */
	public enum State {

		DOWNLOADING, VERIFYING, DONE, FAILED, CANCELLED;

		public boolean finished() {
			return this == DONE || this == FAILED || this == CANCELLED;
		}

	}

	/** A snapshot for listings. {@code etaSeconds} -1: unknown. */
	public record Status(String repository, String file, String revision, String path, State state, long bytes,
			long totalBytes, double percent, double bytesPerSecond, long etaSeconds, @Nullable String message,
			@Nullable Long modelId, Instant startedAt) {
	}

	private final HubFile file;

	private final Path target;

	private final Instant startedAt;

	private volatile State state = State.DOWNLOADING;

	private volatile DownloadProgress progress = new DownloadProgress(0, -1, 0, null);

	private volatile @Nullable String message;

	private volatile @Nullable Long modelId;

	private volatile boolean cancelRequested;

	ModelPull(HubFile file, Path target, Instant startedAt) {
		this.file = file;
		this.target = target;
		this.startedAt = startedAt;
	}

	HubFile file() {
		return this.file;
	}

	Path target() {
		return this.target;
	}

	void progress(DownloadProgress progress) {
		this.progress = progress;
	}

	void verified() {
		this.state = State.VERIFYING;
	}

	void done(long modelId) {
		this.modelId = modelId;
		this.state = State.DONE;
	}

	void failed(State state, String message) {
		this.message = message;
		this.state = state;
	}

	/** Asks the download to stop; false when it had finished. */
	boolean cancel() {
		if (this.state.finished()) {
			return false;
		}
		this.cancelRequested = true;
		return true;
	}

	boolean cancelled() {
		return this.cancelRequested;
	}

	Status status() {
		DownloadProgress now = this.progress;
		return new Status(this.file.repository(), this.file.file(), this.file.revision(), this.target.toString(),
				this.state, now.bytes(), now.totalBytes(), now.percent(), now.bytesPerSecond(),
				now.eta() == null ? -1 : now.eta().toSeconds(), this.message, this.modelId, this.startedAt);
	}

}
