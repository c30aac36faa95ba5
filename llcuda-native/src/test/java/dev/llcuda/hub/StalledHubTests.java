package dev.llcuda.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hub that stops sending, on a real socket: it accepts the connection and then never
 * answers, or sends the headers and part of the body and then nothing. Each attempt gives
 * up after the read timeout, and the download fails after its three attempts naming it,
 * instead of hanging (which the class's timeout turns into a failure).
 */
@Timeout(60)
class StalledHubTests {

	private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);

	private static final Duration RETRY_PAUSE = Duration.ofMillis(10);

	private static final HubFile FILE = new HubFile("owner/stalled-GGUF", "stalled-Q8_0.gguf", "main");

	private static final int SIZE = 100_000;

	private static final int SENT = 10_000;

	@TempDir
	Path temp;

	private final ServerSocket server = newServer();

	private final List<Socket> connections = new CopyOnWriteArrayList<>();

	private final AtomicInteger requests = new AtomicInteger();

	private static ServerSocket newServer() {
		try {
			return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
	}

	@AfterEach
	void stopServer() throws IOException {
		this.server.close();
		for (Socket connection : this.connections) {
			connection.close();
		}
	}

	/**
	 * Accepts connections, reads each request, then has {@code answer} write to it and
	 * keeps it open.
	 */
	private void serve(Answer answer) {
		Thread thread = new Thread(() -> {
			while (!this.server.isClosed()) {
				try {
					Socket connection = this.server.accept();
					this.connections.add(connection);
					String request = readRequest(connection.getInputStream());
					this.requests.incrementAndGet();
					answer.write(connection.getOutputStream(), request);
				}
				catch (IOException e) {
					return; // closed at the end of the test
				}
			}
		}, "stalled-hub");
		thread.setDaemon(true);
		thread.start();
	}

	private interface Answer {

		void write(OutputStream out, String request) throws IOException;

	}

	/** The request line and headers. */
	private static String readRequest(InputStream in) throws IOException {
		StringBuilder request = new StringBuilder();
		for (int b; !request.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0;) {
			request.append((char) b);
		}
		return request.toString();
	}

	private HubDownloader downloader() {
		return new HubDownloader(URI.create("http://127.0.0.1:" + this.server.getLocalPort()), null, RETRY_PAUSE,
				READ_TIMEOUT);
	}

	@Test
	void aHubThatAcceptsButNeverAnswersFailsTheDownloadAfterTheReadTimeout() {
		serve((out, request) -> {
		});
		long started = System.nanoTime();
		IOException failure = assertThrows(IOException.class,
				() -> downloader().download(FILE, this.temp.resolve(FILE.localName()), progress -> {
				}, () -> false));
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		assertTrue(failure.getMessage().contains("no answer within 1000 ms (the read timeout)"), failure.getMessage());
		assertTrue(failure.getMessage().contains("after 3 attempts"), failure.getMessage());
		assertEquals(3, this.requests.get());
		assertTrue(took.compareTo(READ_TIMEOUT.multipliedBy(3)) >= 0 && took.compareTo(Duration.ofSeconds(20)) < 0,
				"took " + took);
	}

	@Test
	void aHubThatStopsSendingMidFileFailsTheDownloadNamingTheReadTimeoutAndKeepsThePartForLater() throws Exception {
		serve((out, request) -> {
			// the whole file: a tenth of it, then nothing; the rest (a resumed attempt):
			// nothing after the headers
			boolean resumed = request.contains("Range: bytes=" + SENT + "-");
			String status = resumed ? "206 Partial Content" : "200 OK";
			String range = resumed ? "Content-Range: bytes " + SENT + "-" + (SIZE - 1) + "/" + SIZE + "\r\n" : "";
			out.write(("HTTP/1.1 " + status + "\r\nX-Linked-Etag: \"" + "ab".repeat(32) + "\"\r\nX-Linked-Size: " + SIZE
					+ "\r\n" + range + "Content-Length: " + (resumed ? SIZE - SENT : SIZE) + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			if (!resumed) {
				out.write(new byte[SENT]);
			}
			out.flush();
		});
		Path target = this.temp.resolve(FILE.localName());
		long started = System.nanoTime();
		IOException failure = assertThrows(IOException.class, () -> downloader().download(FILE, target, progress -> {
		}, () -> false));
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		assertTrue(failure.getMessage().contains("no data for 1000 ms (the read timeout)"), failure.getMessage());
		assertTrue(failure.getMessage().contains("after 3 attempts"), failure.getMessage());
		assertTrue(failure.getMessage().contains("resumes next time"), failure.getMessage());
		assertEquals(3, this.requests.get());
		assertTrue(took.compareTo(READ_TIMEOUT.multipliedBy(3)) >= 0 && took.compareTo(Duration.ofSeconds(20)) < 0,
				"took " + took);
		assertFalse(Files.exists(target));
		assertEquals(SENT, Files.size(target.resolveSibling(FILE.localName() + ".part")));
	}

}
