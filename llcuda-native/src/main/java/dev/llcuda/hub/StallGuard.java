package dev.llcuda.hub;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * Reads an answer's body and closes it when no byte arrived for the read timeout: closing
 * the stream ends a read blocked on it, so a server that stops sending fails the
 * download, naming the timeout, instead of hanging it (the HTTP client's own timeout
 * covers only the wait for the headers).
 */
final class StallGuard implements AutoCloseable {

	private final InputStream body;

	private final Duration timeout;

	private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(task -> {
		Thread thread = new Thread(task, "llcuda-pull-watchdog");
		thread.setDaemon(true);
		return thread;
	});

	private volatile long lastReadNanos = System.nanoTime();

	private volatile boolean stalled;

	StallGuard(InputStream body, Duration timeout) {
		this.body = body;
		this.timeout = timeout;
		long period = Math.max(1, timeout.toMillis() / 10);
		this.watchdog.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
	}

	/**
	 * {@link InputStream#read(byte[])}; throws naming the timeout once the body stalled.
	 */
	int read(byte[] buffer) throws IOException {
		int read;
		try {
			read = this.body.read(buffer);
		}
		catch (IOException e) {
			throw this.stalled ? stall(e) : e;
		}
		if (this.stalled) {
			throw stall(null);
		}
		this.lastReadNanos = System.nanoTime();
		return read;
	}

	private IOException stall(@Nullable IOException cause) {
		return new IOException("no data for " + this.timeout.toMillis() + " ms (the read timeout)", cause);
	}

	private void check() {
		if (System.nanoTime() - this.lastReadNanos < this.timeout.toNanos()) {
			return;
		}
		this.stalled = true;
		this.watchdog.shutdown();
		try {
			this.body.close();
		}
		catch (IOException e) {
			// the reader fails on the stall either way; a failed close changes nothing
			// for it
		}
	}

	@Override
	public void close() {
		this.watchdog.shutdownNow();
	}

}
