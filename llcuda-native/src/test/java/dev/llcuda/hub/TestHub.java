package dev.llcuda.hub;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local hub answering the way huggingface.co does:
 * {@code /{repo}/resolve/{revision}/{file}} redirects LFS files to a storage path with
 * {@code X-Linked-Etag} (their SHA-256) and {@code X-Linked-Size}; the storage serves
 * byte ranges. It can require a token, and scripted faults cut a download short or answer
 * 503. Every request is recorded.
 */
final class TestHub implements AutoCloseable {

	/** What the next request of the storage does instead of answering normally. */
	enum Fault {

		/** Sends a quarter of the bytes asked for, then ends the answer. */
		CUT,
		/** Answers 503. */
		UNAVAILABLE

	}

	private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

	private final HttpServer server;

	/** The storage LFS files redirect to: another origin, as a CDN is. */
	private final HttpServer storage;

	private final Map<String, HostedFile> files = new ConcurrentHashMap<>();

	private final Deque<Fault> faults = new ArrayDeque<>();

	private final List<String> requests = new CopyOnWriteArrayList<>();

	private @Nullable String token;

	private record HostedFile(byte[] content, String etag, boolean lfs) {
	}

	TestHub() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		this.server.createContext("/", this::handle);
		this.server.start();
		this.storage = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		this.storage.createContext("/", this::handle);
		this.storage.start();
	}

	URI url() {
		return URI.create("http://127.0.0.1:" + this.server.getAddress().getPort());
	}

	/**
	 * An LFS file whose published digest is {@code sha256} (the right one, or a wrong one
	 * to test refusal).
	 */
	void lfs(String repository, String file, byte[] content, String sha256) {
		this.files.put(repository + "/resolve/main/" + file, new HostedFile(content, "\"" + sha256 + "\"", true));
	}

	/** A small git file: its ETag is a git blob id, not a SHA-256. */
	void git(String repository, String file, byte[] content) {
		this.files.put(repository + "/resolve/main/" + file,
				new HostedFile(content, "W/\"4c2e1f0a9b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e\"", false));
	}

	void requireToken(String token) {
		this.token = token;
	}

	synchronized void fault(Fault... faults) {
		this.faults.addAll(List.of(faults));
	}

	List<String> requests() {
		return this.requests;
	}

	private void handle(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getPath().substring(1);
		String range = exchange.getRequestHeaders().getFirst("Range");
		String authorization = exchange.getRequestHeaders().getFirst("Authorization");
		this.requests.add(exchange.getRequestMethod() + " /" + path + (range == null ? "" : " " + range)
				+ (authorization == null ? "" : " " + authorization));
		try {
			if (path.startsWith("storage/")) {
				serve(exchange, this.files.get(path.substring("storage/".length())), range);
				return;
			}
			HostedFile file = this.files.get(path);
			if (this.token != null && !("Bearer " + this.token).equals(authorization)) {
				exchange.sendResponseHeaders(401, -1);
				return;
			}
			if (file == null) {
				exchange.sendResponseHeaders(404, -1);
				return;
			}
			if (file.lfs()) {
				exchange.getResponseHeaders().add("X-Linked-Etag", file.etag());
				exchange.getResponseHeaders().add("X-Linked-Size", String.valueOf(file.content().length));
				exchange.getResponseHeaders()
					.add("Location", "http://127.0.0.1:" + this.storage.getAddress().getPort() + "/storage/" + path
							+ "?signature=abc");
				exchange.sendResponseHeaders(302, -1);
				return;
			}
			exchange.getResponseHeaders().add("ETag", file.etag());
			serve(exchange, file, range);
		}
		finally {
			exchange.close();
		}
	}

	private void serve(HttpExchange exchange, @Nullable HostedFile file, @Nullable String range) throws IOException {
		if (file == null) {
			exchange.sendResponseHeaders(404, -1);
			return;
		}
		Fault fault;
		synchronized (this) {
			fault = this.faults.poll();
		}
		if (fault == Fault.UNAVAILABLE) {
			exchange.sendResponseHeaders(503, -1);
			return;
		}
		byte[] content = file.content();
		int start = 0;
		if (range != null) {
			Matcher matcher = RANGE.matcher(range);
			start = matcher.matches() ? Integer.parseInt(matcher.group(1)) : 0;
			if (start >= content.length) {
				exchange.getResponseHeaders().add("Content-Range", "bytes */" + content.length);
				exchange.sendResponseHeaders(416, -1);
				return;
			}
			exchange.getResponseHeaders()
				.add("Content-Range", "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
		}
		int length = content.length - start;
		// a cut answer ends after a quarter of the bytes, short of the X-Linked-Size
		// announced
		int sent = fault == Fault.CUT ? length / 4 : length;
		exchange.sendResponseHeaders(range != null ? 206 : 200, sent);
		OutputStream body = exchange.getResponseBody();
		body.write(content, start, sent);
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.storage.stop(0);
	}

}
