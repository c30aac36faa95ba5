package dev.llcuda.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.llcuda.autoconfigure.LlcudaProperties;
import dev.llcuda.engine.Cancellation;

/**
 * The chat requests in flight, and the service's part of a graceful shutdown. On stop it
 * admits no new request (503), lets those in flight finish for up to
 * {@code llcuda.engine.shutdown-timeout}, then ends the rest: streams with an error event
 * and {@code [DONE]}, other requests with 503, each cancelled in the engine. It stops
 * before the web server's graceful shutdown (which then has nothing left to wait for) and
 * before the engine stops.
 */
@Component
public class InFlightRequests implements SmartLifecycle {

	/**
	 * Just before the web server's graceful shutdown (lifecycles stop in descending phase
	 * order).
	 */
	static final int PHASE = WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1;

	/**
	 * How long ended requests get to leave after the drain before the stop goes on
	 * without them.
	 */
	private static final Duration TERMINATION_GRACE = Duration.ofSeconds(2);

	private static final String STOPPED = "the service shut down before the request finished; it was cancelled";

	private static final Logger logger = LoggerFactory.getLogger(InFlightRequests.class);

	/** A request in flight that the end of a drain can end. */
	interface Exchange {

		/** Ends the request now with a terminal answer and cancels its generation. */
		void terminate();

	}

	private final Duration drainTimeout;

	private final Object lock = new Object();

	private final Set<Exchange> exchanges = new LinkedHashSet<>(); // guarded by lock

	private boolean admitting = true; // guarded by lock

	private volatile boolean running;

	public InFlightRequests(LlcudaProperties properties) {
		this.drainTimeout = properties.getEngine().getShutdownTimeout();
	}

	/**
	 * Counts {@code exchange} in until {@link #leave}.
	 * @throws ServiceStoppingException when the service is shutting down
	 */
	void enter(Exchange exchange) {
		synchronized (this.lock) {
			if (!this.admitting) {
				throw new ServiceStoppingException("the service is shutting down and takes no new requests");
			}
			this.exchanges.add(exchange);
		}
	}

	/** Counts {@code exchange} out; repeated calls are harmless. */
	void leave(Exchange exchange) {
		synchronized (this.lock) {
			if (this.exchanges.remove(exchange)) {
				this.lock.notifyAll();
			}
		}
	}

	/**
	 * Runs a blocking request on this thread as one exchange, its generations cancelled
	 * through the {@link Cancellation} it is given (the request may cancel it too): the
	 * end of a drain cancels it (no thread is interrupted), and the request then fails
	 * with {@link ServiceStoppingException}.
	 */
	<T> T call(Function<Cancellation, T> request) {
		Cancellation cancellation = new Cancellation();
		AtomicBoolean terminated = new AtomicBoolean();
		Exchange exchange = () -> {
			terminated.set(true);
			cancellation.cancel();
		};
		enter(exchange);
		try {
			T answer = request.apply(cancellation);
			if (terminated.get()) {
				throw new ServiceStoppingException(STOPPED);
			}
			return answer;
		}
		catch (RuntimeException e) {
			if (terminated.get()) {
				throw new ServiceStoppingException(STOPPED);
			}
			throw e;
		}
		finally {
			leave(exchange);
		}
	}

	/** Requests in flight now. */
	int size() {
		synchronized (this.lock) {
			return this.exchanges.size();
		}
	}

	@Override
	public void start() {
		synchronized (this.lock) {
			this.admitting = true;
		}
		this.running = true;
	}

	@Override
	public void stop() {
		long drainEnd = System.nanoTime() + this.drainTimeout.toNanos();
		List<Exchange> remaining;
		synchronized (this.lock) {
			this.admitting = false;
			awaitEmpty(drainEnd);
			remaining = new ArrayList<>(this.exchanges);
		}
		if (!remaining.isEmpty()) {
			logger.info("llcuda: {} requests still running after the shutdown timeout of {} are cancelled",
					remaining.size(), this.drainTimeout);
			remaining.forEach(Exchange::terminate);
			synchronized (this.lock) {
				awaitEmpty(System.nanoTime() + TERMINATION_GRACE.toNanos());
			}
		}
		this.running = false;
	}

	private void awaitEmpty(long deadline) {
		boolean interrupted = false;
		long left;
		while (!this.exchanges.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
			try {
				this.lock.wait(Math.max(1, left / 1_000_000));
			}
			catch (InterruptedException e) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
