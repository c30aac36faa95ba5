package dev.llcuda.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /api/console/events}: the console's live reading
 * ({@link ConsoleController#live}) as server-sent events, one at once and then one every
 * {@code sample.console.interval}, so the page does not poll. One timer takes each
 * reading once and sends it to every open stream; a stream whose client left is dropped
 * at its next send. At most {@code sample.console.max-streams} are open (429 beyond).
 * Shutdown completes them first: an endless stream would otherwise hold the web server's
 * graceful shutdown until its time-out.
 */
@RestController
public class ConsoleEvents implements SmartLifecycle {

	/**
	 * Before the requests in flight are drained (lifecycles stop in descending phase
	 * order).
	 */
	static final int PHASE = InFlightRequests.PHASE + 1;

	private static final Logger logger = LoggerFactory.getLogger(ConsoleEvents.class);

	private final ConsoleController readings;

	private final Duration interval;

	private final int maxStreams;

	private final Set<SseEmitter> streams = ConcurrentHashMap.newKeySet();

	private final Object lock = new Object();

	private @Nullable ScheduledExecutorService timer; // guarded by lock; null while
														// stopped

	public ConsoleEvents(ConsoleController readings, ConsoleSettings settings) {
		if (settings.getInterval().toMillis() < 1) {
			throw new IllegalArgumentException(
					"sample.console.interval must be at least 1ms, was " + settings.getInterval());
		}
		if (settings.getMaxStreams() < 1) {
			throw new IllegalArgumentException(
					"sample.console.max-streams must be at least 1, was " + settings.getMaxStreams());
		}
		this.readings = readings;
		this.interval = settings.getInterval();
		this.maxStreams = settings.getMaxStreams();
	}

	@GetMapping("/api/console/events")
	public SseEmitter events() {
		SseEmitter emitter = new SseEmitter(0L);
		synchronized (this.lock) {
			if (this.timer == null) {
				throw new ServiceStoppingException("the service is shutting down");
			}
			if (this.streams.size() >= this.maxStreams) {
				throw new ResponseStatusException(HttpStatus.TOO_MANY_REQUESTS, "already " + this.maxStreams
						+ " console event streams open (sample.console.max-streams); close one or poll GET /api/console");
			}
			this.streams.add(emitter);
		}
		emitter.onCompletion(() -> this.streams.remove(emitter));
		emitter.onTimeout(() -> this.streams.remove(emitter));
		emitter.onError(error -> this.streams.remove(emitter));
		send(emitter, this.readings.live());
		return emitter;
	}

	/** Open streams now. */
	int openStreams() {
		return this.streams.size();
	}

	private void tick() {
		try {
			if (!this.streams.isEmpty()) {
				ConsoleController.Live live = this.readings.live();
				this.streams.forEach(emitter -> send(emitter, live));
			}
		}
		catch (RuntimeException e) {
			// a reading that failed must not end the timer (a later one may succeed)
			logger.warn("llcuda console: the live reading failed", e);
		}
	}

	private void send(SseEmitter emitter, ConsoleController.Live live) {
		try {
			emitter.send(SseEmitter.event().data(live, MediaType.APPLICATION_JSON));
		}
		catch (IOException | IllegalStateException e) {
			// the client is gone
			this.streams.remove(emitter);
		}
	}

	@Override
	public void start() {
		synchronized (this.lock) {
			if (this.timer == null) {
				ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
					Thread thread = new Thread(task, "llcuda-console-events");
					thread.setDaemon(true);
					return thread;
				});
				long millis = this.interval.toMillis();
				timer.scheduleAtFixedRate(this::tick, millis, millis, TimeUnit.MILLISECONDS);
				this.timer = timer;
			}
		}
	}

	@Override
	public void stop() {
		ScheduledExecutorService stopped;
		synchronized (this.lock) {
			stopped = this.timer;
			this.timer = null;
		}
		if (stopped != null) {
			stopped.shutdownNow();
		}
		this.streams.forEach(SseEmitter::complete);
		this.streams.clear();
	}

	@Override
	public boolean isRunning() {
		synchronized (this.lock) {
			return this.timer != null;
		}
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
