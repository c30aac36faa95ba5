package dev.llcuda.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local hub answering {@code GET /{repo}/resolve/{revision}/{file}} as huggingface.co
 * does for LFS files (the SHA-256 as {@code X-Linked-Etag}, the size as
 * {@code X-Linked-Size}), sending each file in pieces with a pause after each, so a
 * download takes long enough to be watched.
 */
final class SlowHub implements AutoCloseable {

	private final HttpServer server;

	private final Map<String, Hosted> files = new ConcurrentHashMap<>();

	private record Hosted(byte[] content, int pieceBytes, long pauseMillis) {
	}

	SlowHub() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		this.server.setExecutor(Executors.newCachedThreadPool());
		this.server.createContext("/", this::handle);
		this.server.start();
	}

	URI url() {
		return URI.create("http://127.0.0.1:" + this.server.getAddress().getPort());
	}

	/**
	 * Serves {@code content} as {@code repository}'s {@code file} on main,
	 * {@code pieceBytes} at a time.
	 */
	void host(String repository, String file, byte[] content, int pieceBytes, long pauseMillis) {
		this.files.put("/" + repository + "/resolve/main/" + file, new Hosted(content, pieceBytes, pauseMillis));
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			Hosted file = this.files.get(exchange.getRequestURI().getPath());
			if (file == null) {
				exchange.sendResponseHeaders(404, -1);
				return;
			}
			exchange.getResponseHeaders().add("X-Linked-Etag", "\"" + sha256(file.content()) + "\"");
			exchange.getResponseHeaders().add("X-Linked-Size", String.valueOf(file.content().length));
			exchange.sendResponseHeaders(200, file.content().length);
			OutputStream body = exchange.getResponseBody();
			for (int sent = 0; sent < file.content().length; sent += file.pieceBytes()) {
				body.write(file.content(), sent, Math.min(file.pieceBytes(), file.content().length - sent));
				body.flush();
				Thread.sleep(file.pauseMillis());
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		catch (IOException e) {
			// the client went away (a cancelled pull)
		}
	}

	static String sha256(byte[] content) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
