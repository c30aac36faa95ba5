package dev.llcuda.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.http.HttpServletRequest;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.llcuda.engine.Cancellation;

/**
 * Notices clients that left while their non-streaming request still generates, so that
 * its generation is cancelled instead of running to {@code max_tokens}. The servlet
 * container sees a closed connection only when it writes, and a JSON answer writes
 * nothing before it is complete (its status must stay open for errors), so a probe reads
 * the kernel's TCP table ({@code /proc/net/tcp}, {@code /proc/net/tcp6}) every
 * {@code llcuda.service.client-probe-period}: a watched connection (established when its
 * request was read) that is no longer established (the client closed or reset it) is
 * gone. Without that table (not Linux) nothing is ever found gone. A client that
 * half-closes its side and still waits counts as gone.
 */
@Component
public class ClientConnections implements DisposableBean {

	private static final List<Path> TCP_TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

	private static final String ESTABLISHED = "01";

	private final Set<Watch> watches = new CopyOnWriteArraySet<>();

	private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread thread = new Thread(runnable, "llcuda-client-probe");
		thread.setDaemon(true);
		return thread;
	});

	public ClientConnections(@Value("${llcuda.service.client-probe-period:200ms}") Duration period) {
		if (period.isNegative() || period.isZero()) {
			throw new IllegalArgumentException("llcuda.service.client-probe-period must be positive, not " + period);
		}
		this.prober.scheduleWithFixedDelay(this::probe, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
	}

	/**
	 * Watches the connection of {@code request} until the watch is closed;
	 * {@code cancellation} fires when it is gone.
	 */
	Watch watch(HttpServletRequest request, Cancellation cancellation) {
		Watch watch = new Watch(request.getLocalPort(), request.getRemotePort(), cancellation);
		this.watches.add(watch);
		return watch;
	}

	@Override
	public void destroy() {
		this.prober.shutdownNow();
	}

	/**
	 * Only watches begun before the table is read: their connections were established
	 * then, unless closed.
	 */
	private void probe() {
		List<Watch> watching = List.copyOf(this.watches);
		if (watching.isEmpty()) {
			return;
		}
		Set<Long> established = establishedConnections();
		if (established == null) {
			return;
		}
		for (Watch watch : watching) {
			if (!established.contains(watch.key)) {
				watch.leave();
			}
		}
	}

	/**
	 * The established TCP connections as {@link #key} of their local and remote ports;
	 * null without any table.
	 */
	private static @Nullable Set<Long> establishedConnections() {
		Set<Long> established = null;
		for (Path table : TCP_TABLES) {
			List<String> lines;
			try {
				lines = Files.readAllLines(table);
			}
			catch (IOException e) {
				continue; // no such table here
			}
			established = established != null ? established : new HashSet<>();
			for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
				String[] fields = line.trim().split("\\s+");
				if (fields.length > 3 && fields[3].equals(ESTABLISHED)) {
					established.add(key(port(fields[1]), port(fields[2])));
				}
			}
		}
		return established;
	}

	/** The port of a table address {@code HEXADDR:HEXPORT}. */
	private static int port(String address) {
		return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1), 16);
	}

	private static long key(int localPort, int remotePort) {
		return ((long) localPort << 32) | remotePort;
	}

	/**
	 * One client connection watched while its answer generates. Matching on ports alone
	 * can only keep a gone client alive (another host on the same remote port), never end
	 * a present one.
	 */
	final class Watch implements AutoCloseable {

		private final long key;

		private final Cancellation cancellation;

		private boolean gone; // guarded by this

		private Watch(int localPort, int remotePort, Cancellation cancellation) {
			this.key = key(localPort, remotePort);
			this.cancellation = cancellation;
		}

		synchronized boolean gone() {
			return this.gone;
		}

		private void leave() {
			synchronized (this) {
				if (this.gone) {
					return;
				}
				this.gone = true;
			}
			this.cancellation.cancel();
		}

		@Override
		public void close() {
			ClientConnections.this.watches.remove(this);
		}

	}

	/** The client left before its answer was ready; nobody reads this. */
	static final class ClientGoneException extends RuntimeException {

		ClientGoneException() {
			super("the client closed its connection; the request was cancelled");
		}

	}

}
