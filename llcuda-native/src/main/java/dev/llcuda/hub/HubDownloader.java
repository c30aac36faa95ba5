package dev.llcuda.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import dev.llcuda.nativelib.Sha256;

/**
 * Downloads a file of a Hugging Face–compatible hub ({@code GET
 * {base}/{owner}/{repo}/resolve/{revision}/{file}}) into {@code TARGET.part}, resuming it
 * with a range request after an interruption (and across runs), and moves it to
 * {@code TARGET} once its SHA-256 equals the one the hub publishes for LFS files
 * ({@code X-Linked-Etag}, else {@code ETag}). Redirects are followed; the token goes to
 * the hub's own host only, never to the storage a redirect points to. 5xx answers, broken
 * connections and stalls (no answer or no byte for the read timeout) are retried; 4xx
 * answers are final and named.
 */
public final class HubDownloader {

	public static final URI DEFAULT_HUB = URI.create("https://huggingface.co");

	/**
	 * How long a download waits for the hub's answer, and then for each next byte, before
	 * it gives up.
	 */
	public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

	private static final int MAX_REDIRECTS = 5;

	private static final int MAX_ATTEMPTS = 3;

	private static final long PROGRESS_INTERVAL_NANOS = 250_000_000L;

	private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

	private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

	private final URI base;

	private final @Nullable String token;

	private final Duration retryPause;

	private final Duration readTimeout;

	private final HttpClient http = HttpClient.newBuilder()
		.followRedirects(HttpClient.Redirect.NEVER)
		.connectTimeout(Duration.ofSeconds(30))
		.build();

	/**
	 * @param retryPause pause before the second attempt (twice as long before the third)
	 * @param readTimeout how long an attempt waits for the answer's headers, and then for
	 * each next byte, before it counts as broken off
	 */
	public HubDownloader(URI base, @Nullable String token, Duration retryPause, Duration readTimeout) {
		if (readTimeout.isNegative() || readTimeout.isZero()) {
			throw new IllegalArgumentException("the read timeout must be positive, got " + readTimeout);
		}
		this.base = base;
		this.token = token == null || token.isBlank() ? null : token;
		this.retryPause = retryPause;
		this.readTimeout = readTimeout;
	}

	/**
	 * Downloads {@code file} to {@code target} and returns its SHA-256.
	 * @throws CancellationException when {@code cancelled} turned true (the partial file
	 * is deleted)
	 * @throws IOException naming the URL and the problem; a partial file is kept for a
	 * later resume unless its digest was wrong
	 */
	public String download(HubFile file, Path target, Consumer<DownloadProgress> progress, BooleanSupplier cancelled)
			throws IOException, InterruptedException {
		if (Files.exists(target)) {
			throw new IOException(target + " already exists; remove it or register it");
		}
		Path part = target.resolveSibling(target.getFileName() + ".part");
		String digest;
		for (int attempt = 1;; attempt++) {
			try {
				digest = fetch(file, part, progress, cancelled);
				break;
			}
			catch (Interrupted e) {
				if (attempt == MAX_ATTEMPTS) {
					throw new IOException(file.url(this.base) + ": " + e.getMessage() + " (after " + attempt
							+ " attempts; the partial file " + part + " resumes next time)", e);
				}
				Thread.sleep(this.retryPause.toMillis() * attempt);
			}
		}
		String actual = Sha256.of(part);
		if (!actual.equals(digest)) {
			Files.delete(part);
			throw new IOException(file.url(this.base) + ": SHA-256 mismatch, the hub published " + digest
					+ " but the download has " + actual + "; the download was deleted");
		}
		Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
		return actual;
	}

	/**
	 * One attempt: downloads the rest of the file into {@code part}; returns the
	 * published digest.
	 */
	private String fetch(HubFile file, Path part, Consumer<DownloadProgress> progress, BooleanSupplier cancelled)
			throws IOException, InterruptedException {
		long offset = Files.exists(part) ? Files.size(part) : 0;
		Answer answer = request(file.url(this.base), offset);
		try (InputStream body = answer.response().body()) {
			int status = answer.response().statusCode();
			if (status == 416 && offset > 0 && offset == answer.linkedSize()) {
				return answer.digest(); // the partial file is already whole
			}
			if (status == 416) {
				Files.delete(part);
				throw new Interrupted("the hub refused to resume at byte " + offset + "; starting again");
			}
			refuseErrors(answer, status);
			String digest = answer.digest();
			long start = status == 206 ? rangeStart(answer.response()) : 0;
			if (status == 206 && start != offset) {
				throw new IOException(
						answer.response().uri() + ": answered bytes from " + start + ", asked from " + offset);
			}
			long total = answer.totalBytes(start);
			try (StallGuard guard = new StallGuard(body, this.readTimeout)) {
				copy(body, part, start, total, progress, cancelled, guard);
			}
			catch (CancellationException e) {
				Files.deleteIfExists(part);
				throw e;
			}
			catch (IOException e) {
				throw new Interrupted("the download broke off: " + e.getMessage());
			}
			if (total >= 0 && Files.size(part) != total) {
				throw new Interrupted("the download ended after " + Files.size(part) + " of " + total + " bytes");
			}
			return digest;
		}
	}

	private void refuseErrors(Answer answer, int status) throws IOException {
		URI uri = answer.response().uri();
		if (status == 401 || status == 403) {
			throw new IOException(uri + ": the hub answered " + status + (this.token == null
					? "; the repository is private or gated: give a hub token (llcuda.registry.hub-token, --token or HF_TOKEN)"
					: "; the hub token was refused for this repository"));
		}
		if (status == 404) {
			throw new IOException(uri + ": the hub answered 404: no such repository, revision or file");
		}
		if (status >= 500) {
			throw new Interrupted("the hub answered " + status);
		}
		if (status != 200 && status != 206) {
			throw new IOException(uri + ": the hub answered " + status);
		}
	}

	private static void copy(InputStream body, Path part, long start, long total, Consumer<DownloadProgress> progress,
			BooleanSupplier cancelled, StallGuard guard) throws IOException {
		long begin = System.nanoTime();
		long reported = begin;
		long bytes = start;
		byte[] buffer = new byte[1 << 20];
		StandardOpenOption mode = start > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
		try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				mode)) {
			progress.accept(DownloadProgress.of(bytes, total, 0, 0));
			for (int read; (read = guard.read(buffer)) >= 0;) {
				if (cancelled.getAsBoolean()) {
					throw new CancellationException("download cancelled");
				}
				out.write(buffer, 0, read);
				bytes += read;
				long now = System.nanoTime();
				if (now - reported >= PROGRESS_INTERVAL_NANOS) {
					progress.accept(DownloadProgress.of(bytes, total, bytes - start, now - begin));
					reported = now;
				}
			}
		}
		finally {
			progress.accept(DownloadProgress.of(bytes, total, bytes - start, System.nanoTime() - begin));
		}
	}

	/**
	 * Follows redirects by hand, keeping the digest and size the hub's own answer
	 * carried.
	 */
	private Answer request(URI url, long offset) throws IOException, InterruptedException {
		URI next = url;
		String linkedEtag = null;
		String linkedSize = null;
		for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
			HttpRequest.Builder request = HttpRequest.newBuilder(next).timeout(this.readTimeout).GET();
			if (offset > 0) {
				request.header("Range", "bytes=" + offset + "-");
			}
			if (this.token != null && sameOrigin(next, this.base)) {
				request.header("Authorization", "Bearer " + this.token);
			}
			HttpResponse<InputStream> response;
			try {
				response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
			}
			catch (HttpTimeoutException e) {
				throw new Interrupted(
						next + ": no answer within " + this.readTimeout.toMillis() + " ms (the read timeout)");
			}
			catch (IOException e) {
				throw new Interrupted(next + ": " + e.getMessage());
			}
			linkedEtag = linkedEtag != null ? linkedEtag : header(response, "X-Linked-Etag");
			linkedSize = linkedSize != null ? linkedSize : header(response, "X-Linked-Size");
			int status = response.statusCode();
			Optional<String> location = response.headers().firstValue("Location");
			if (status >= 300 && status < 400 && location.isPresent()) {
				response.body().close();
				next = next.resolve(location.get());
				continue;
			}
			String etag = linkedEtag != null ? linkedEtag : header(response, "ETag");
			return new Answer(response, url, etag, linkedSize == null ? -1 : Long.parseLong(linkedSize.trim()));
		}
		throw new IOException(url + ": more than " + MAX_REDIRECTS + " redirects");
	}

	private static boolean sameOrigin(URI a, URI b) {
		return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
				&& a.getPort() == b.getPort();
	}

	private static @Nullable String header(HttpResponse<?> response, String name) {
		return response.headers().firstValue(name).orElse(null);
	}

	private static long rangeStart(HttpResponse<?> response) throws IOException {
		Matcher range = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
		if (!range.matches()) {
			throw new IOException(response.uri() + ": a partial answer without a valid Content-Range");
		}
		return Long.parseLong(range.group(1));
	}

	/** The final answer, with the digest and size published on the way. */
	private record Answer(HttpResponse<InputStream> response, URI url, @Nullable String etag, long linkedSize) {

		/**
		 * The published SHA-256 (an LFS file's ETag); other ETags (git blob ids) are
		 * refused.
		 */
		String digest() throws IOException {
			String normalized = this.etag == null ? ""
					: this.etag.replaceFirst("^W/", "").replace("\"", "").trim().toLowerCase(Locale.ROOT);
			if (!SHA256.matcher(normalized).matches()) {
				throw new IOException(this.url + ": the hub published no SHA-256 for this file (X-Linked-Etag/ETag: "
						+ this.etag + "); refusing a download that cannot be checked");
			}
			return normalized;
		}

		long totalBytes(long start) {
			if (this.linkedSize >= 0) {
				return this.linkedSize;
			}
			Matcher range = CONTENT_RANGE.matcher(this.response.headers().firstValue("Content-Range").orElse(""));
			if (range.matches() && !range.group(3).equals("*")) {
				return Long.parseLong(range.group(3));
			}
			long length = this.response.headers().firstValueAsLong("Content-Length").orElse(-1);
			return length >= 0 ? start + length : -1;
		}
	}

	/**
	 * A failure worth another attempt: a 5xx answer or a broken connection; the partial
	 * file stays.
	 */
	private static final class Interrupted extends IOException {

		Interrupted(String message) {
			super(message);
		}

	}

}
