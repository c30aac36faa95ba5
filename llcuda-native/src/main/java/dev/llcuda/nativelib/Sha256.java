package dev.llcuda.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * SHA-256 digests as lower-case hex, the form {@code sha256sum} prints. Public for
 * {@link #of(Path)}, which the model registry uses too.
 */
public final class Sha256 {

	private static final Pattern HEX_DIGEST = Pattern.compile("[0-9a-f]{64}");

	private Sha256() {
	}

	static MessageDigest newDigest() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("every Java platform has SHA-256", e);
		}
	}

	static String hex(MessageDigest digest) {
		return HexFormat.of().formatHex(digest.digest());
	}

	/** How far a digest of a file is. */
	@FunctionalInterface
	public interface Progress {

		/** {@code bytes} of the file's {@code totalBytes} hashed so far. */
		void hashed(long bytes, long totalBytes);

	}

	/** The digest of a file, streamed (model files are gigabytes). */
	public static String of(Path file) throws IOException {
		return of(file, (bytes, totalBytes) -> {
		});
	}

	/**
	 * The digest of a file, telling {@code progress} the bytes hashed after each read
	 * (from 0 up to the file's size at the start).
	 */
	public static String of(Path file, Progress progress) throws IOException {
		MessageDigest digest = newDigest();
		try (InputStream in = Files.newInputStream(file)) {
			long total = Files.size(file);
			long hashed = 0;
			progress.hashed(0, total);
			byte[] buffer = new byte[1 << 20];
			for (int n; (n = in.read(buffer)) > 0;) {
				digest.update(buffer, 0, n);
				hashed += n;
				progress.hashed(hashed, total);
			}
		}
		return hex(digest);
	}

	/**
	 * Checks a user-given digest ({@code what} names where it came from) and lower-cases
	 * it.
	 */
	static String requireValid(String digest, String what) {
		String normalized = digest.strip().toLowerCase(Locale.ROOT);
		if (!HEX_DIGEST.matcher(normalized).matches()) {
			throw new IllegalArgumentException(what + " is not a SHA-256 digest (64 hex digits): '" + digest + "'");
		}
		return normalized;
	}

}
