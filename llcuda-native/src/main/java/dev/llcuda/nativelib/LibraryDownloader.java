package dev.llcuda.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Streams a library from an HTTP(S) URL, refusing error statuses and oversized bodies.
 */
final class LibraryDownloader {

	/** No libllcuda.so comes near this (a CUDA fat binary is a few hundred MiB). */
	static final long MAX_BYTES = 2L << 30;

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

	private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);

	private LibraryDownloader() {
	}

	static void download(URI url, OutputStream out) throws IOException {
		HttpClient client = HttpClient.newBuilder()
			.connectTimeout(CONNECT_TIMEOUT)
			.followRedirects(HttpClient.Redirect.NORMAL)
			.build();
		HttpRequest request = HttpRequest.newBuilder(url).timeout(REQUEST_TIMEOUT).GET().build();
		HttpResponse<InputStream> response;
		try {
			response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IOException("download of " + url + " interrupted", e);
		}
		try (InputStream body = response.body()) {
			if (response.statusCode() != 200) {
				throw new NativeLibraryException(
						"download of the native library from " + url + " failed: HTTP " + response.statusCode());
			}
			copyAtMost(body, out, url);
		}
	}

	private static void copyAtMost(InputStream in, OutputStream out, URI url) throws IOException {
		byte[] buffer = new byte[1 << 16];
		long total = 0;
		for (int n; (n = in.read(buffer)) > 0;) {
			total += n;
			if (total > MAX_BYTES) {
				throw new NativeLibraryException(
						"download of " + url + " exceeds " + MAX_BYTES + " bytes; that is not a native library");
			}
			out.write(buffer, 0, n);
		}
	}

}
