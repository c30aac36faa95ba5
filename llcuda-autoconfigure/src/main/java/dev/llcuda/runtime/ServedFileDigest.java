package dev.llcuda.runtime;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.llcuda.nativelib.Sha256;

/**
 * The optional periodic SHA-256 re-check of the served model file, for changes its size,
 * time and inode do not show (an edit in place that keeps them). Within
 * {@link #NEW_MODEL_POLL} of a model starting to serve, the file's digest is taken as the
 * one loaded; every interval after, it is compared with it. A mismatch is reported (not
 * acted on): serving continues from the copy loaded.
 */
final class ServedFileDigest implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ServedFileDigest.class);

	/** How soon a model newly serving gets its digest taken. */
	static final Duration NEW_MODEL_POLL = Duration.ofSeconds(1);

	private final Supplier<Optional<ServingModel>> serving;

	private long intervalNanos; // guarded by this

	private long lastCheck; // guarded by this: System.nanoTime() of the last digest

	private @Nullable ScheduledExecutorService checker; // guarded by this

	private @Nullable ServingModel checked; // guarded by this: the model the digests
											// below are of

	private @Nullable String loaded; // guarded by this

	private @Nullable String mismatch; // guarded by this

	ServedFileDigest(Supplier<Optional<ServingModel>> serving) {
		this.serving = serving;
	}

	/** Checks every {@code interval} from now on, the first time at once. */
	synchronized void start(Duration interval) {
		if (interval.isNegative() || interval.isZero()) {
			throw new IllegalArgumentException("llcuda.model.verify-interval must be positive, not " + interval);
		}
		close();
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
			Thread thread = new Thread(runnable, "llcuda-file-digest");
			thread.setDaemon(true);
			return thread;
		});
		this.intervalNanos = interval.toNanos();
		long poll = Math.min(this.intervalNanos, NEW_MODEL_POLL.toNanos());
		executor.scheduleWithFixedDelay(this::check, 0, poll, TimeUnit.NANOSECONDS);
		this.checker = executor;
	}

	/**
	 * How the digest of {@code model}'s file differs from the one at its load, or empty
	 * (also when unchecked).
	 */
	synchronized Optional<String> mismatch(ServingModel model) {
		return model == this.checked ? Optional.ofNullable(this.mismatch) : Optional.empty();
	}

	/**
	 * One tick: a new model's digest, or a due check; a file that cannot be read is left
	 * to the size/inode checks.
	 */
	private void check() {
		ServingModel model = this.serving.get().orElse(null);
		synchronized (this) {
			if (model == null || model == this.checked && System.nanoTime() - this.lastCheck < this.intervalNanos) {
				return;
			}
		}
		String digest;
		try {
			digest = Sha256.of(model.path());
		}
		catch (IOException e) {
			return;
		}
		synchronized (this) {
			this.lastCheck = System.nanoTime();
			if (model != this.checked) {
				this.checked = model;
				this.loaded = digest;
				this.mismatch = null;
				return;
			}
			String found = digest.equals(this.loaded) ? null : "SHA-256 " + this.loaded + " -> " + digest;
			if (found != null && this.mismatch == null) {
				logger.warn("llcuda: the served file {} changed since it was loaded: {}", model.path(), found);
			}
			this.mismatch = found;
		}
	}

	@Override
	public synchronized void close() {
		if (this.checker != null) {
			this.checker.shutdownNow();
			this.checker = null;
		}
	}

}
