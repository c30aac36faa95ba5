package dev.llcuda.registry;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the shared registry every interval (llcuda.registry.follow-interval) so that a
 * running service replica loads a model another replica activated
 * ({@link ModelRegistry#followActive()}).
 */
public final class ActiveModelFollower implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ActiveModelFollower.class);

	private final ModelRegistry registry;

	private @Nullable ScheduledExecutorService poller; // guarded by this

	public ActiveModelFollower(ModelRegistry registry) {
		this.registry = registry;
	}

	/** Polls every {@code interval} from now on; zero: never. */
	public synchronized void start(Duration interval) {
		if (interval.isNegative()) {
			throw new IllegalArgumentException("llcuda.registry.follow-interval must not be negative, not " + interval);
		}
		close();
		if (interval.isZero()) {
			return;
		}
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
			Thread thread = new Thread(runnable, "llcuda-registry-follower");
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleWithFixedDelay(this::poll, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
		this.poller = executor;
	}

	/** One poll; a database that cannot be reached now is tried again next time. */
	private void poll() {
		try {
			this.registry.followActive();
		}
		catch (RuntimeException e) {
			logger.warn("llcuda model registry: cannot follow the active model: {}", e.getMessage());
		}
	}

	@Override
	public synchronized void close() {
		if (this.poller != null) {
			this.poller.shutdownNow();
			this.poller = null;
		}
	}

}
