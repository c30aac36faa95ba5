package dev.llcuda.runtime;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.llcuda.engine.Engine;

/**
 * Brings a failed engine back by itself: reloads its model after the initial delay, then
 * after twice as long after each failed attempt (up to the maximum delay), until a load
 * succeeds or the runtime cancels (another activation, unload, stop). {@link #begin},
 * {@link #cancel} and every attempt run under the runtime's lock, so an attempt never
 * races an activation.
 */
final class EngineRecovery {

	private static final Logger logger = LoggerFactory.getLogger(EngineRecovery.class);

	private final Object lock;

	private final Consumer<Path> reload;

	private final Duration initialDelay;

	private final Duration maxDelay;

	private final Clock clock;

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
		Thread thread = new Thread(task, "llcuda-engine-recovery");
		thread.setDaemon(true);
		return thread;
	});

	private final AtomicLong recoveries = new AtomicLong();

	private volatile @Nullable RecoveryStatus status; // written under lock

	private @Nullable ScheduledFuture<?> pending; // guarded by lock

	/**
	 * Changes with every schedule and cancel: an attempt runs only while its number is
	 * current.
	 */
	private long generation; // guarded by lock

	/**
	 * @param lock the runtime's lock, held by every change of what is served
	 * @param reload loads the file and serves it, or throws why not
	 */
	EngineRecovery(Object lock, Consumer<Path> reload, Duration initialDelay, Duration maxDelay, Clock clock) {
		this.lock = lock;
		this.reload = reload;
		this.initialDelay = initialDelay;
		this.maxDelay = maxDelay;
		this.clock = clock;
	}

	/** Runs {@code action} (not on the engine's thread) once {@code engine} fails. */
	void watch(Engine engine, Consumer<Throwable> action) {
		engine.whenFailed().thenAcceptAsync(action, this.timer);
	}

	/**
	 * Starts recovering {@code model}, whose engine failed with {@code cause}. Call under
	 * the lock.
	 */
	void begin(Path model, Throwable cause) {
		cancel();
		schedule(model, 1, String.valueOf(cause.getMessage()));
	}

	/** Stops a recovery under way, if any. Call under the lock. */
	void cancel() {
		this.generation++;
		ScheduledFuture<?> task = this.pending;
		if (task != null) {
			task.cancel(false);
		}
		this.pending = null;
		this.status = null;
	}

	Optional<RecoveryStatus> status() {
		return Optional.ofNullable(this.status);
	}

	/** Engines brought back since start. */
	long recoveries() {
		return this.recoveries.get();
	}

	void shutdown() {
		this.timer.shutdownNow();
	}

	/**
	 * Delay before attempt {@code attempt} (1, 2, ...): initial, twice that, ..., at most
	 * the maximum.
	 */
	Duration delayBefore(int attempt) {
		Duration delay = this.initialDelay;
		for (int i = 1; i < attempt && delay.compareTo(this.maxDelay) < 0; i++) {
			delay = delay.multipliedBy(2);
		}
		return delay.compareTo(this.maxDelay) < 0 ? delay : this.maxDelay;
	}

	private void schedule(Path model, int attempt, String lastError) {
		Duration delay = delayBefore(attempt);
		long ticket = ++this.generation;
		this.status = new RecoveryStatus(model, attempt, this.clock.instant().plus(delay), lastError);
		logger.warn("llcuda: the engine serving {} failed ({}); reloading it in {} ms (attempt {})", model, lastError,
				delay.toMillis(), attempt);
		this.pending = this.timer.schedule(() -> attempt(ticket, model, attempt), delay.toNanos(),
				TimeUnit.NANOSECONDS);
	}

	private void attempt(long ticket, Path model, int attempt) {
		synchronized (this.lock) {
			if (ticket != this.generation) {
				return; // cancelled or superseded while waiting for the lock
			}
			try {
				this.reload.accept(model);
				this.recoveries.incrementAndGet(); // counted before the status clears, so
													// no reader sees neither
				cancel();
				logger.info("llcuda: the engine serving {} recovered at attempt {}", model, attempt);
			}
			catch (RuntimeException e) {
				schedule(model, attempt + 1, String.valueOf(e.getMessage()));
			}
		}
	}

}
