package dev.llcuda.nativelib;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * A file in the library cache that must have a known SHA-256. It is written once,
 * atomically: content goes to a temporary file in the same folder, is synced, checked,
 * and renamed into place. JVMs starting together may each do this; their renames put
 * identical bytes in place, so every reader sees either no file or a complete one.
 */
final class CacheFile {

	/**
	 * Writes the content into a stream; may be called once per {@link #placeIfAbsent}.
	 */
	@FunctionalInterface
	interface Content {

		void writeTo(OutputStream out) throws IOException;

	}

	private final Path path;

	private final String sha256;

	CacheFile(Path path, String sha256) {
		this.path = path;
		this.sha256 = sha256;
	}

	Path path() {
		return path;
	}

	/**
	 * Puts the content at the path unless a file is already there; {@code origin} names
	 * the source.
	 */
	void placeIfAbsent(String origin, Content content) throws IOException {
		if (Files.exists(path)) {
			return;
		}
		Files.createDirectories(path.getParent());
		Path part = Files.createTempFile(path.getParent(), "." + path.getFileName(), ".part");
		try {
			MessageDigest digest = Sha256.newDigest();
			try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE);
					OutputStream out = new DigestOutputStream(Channels.newOutputStream(channel), digest)) {
				content.writeTo(out);
				out.flush();
				channel.force(true);
			}
			String actual = Sha256.hex(digest);
			if (!actual.equals(sha256)) {
				throw new ChecksumMismatchException(origin, sha256, actual);
			}
			Files.move(part, path, StandardCopyOption.ATOMIC_MOVE);
		}
		finally {
			Files.deleteIfExists(part);
		}
	}

	/**
	 * Refuses the file (naming it and both digests) unless its bytes have the expected
	 * digest; returns that digest.
	 */
	String verify() throws IOException {
		String actual = Sha256.of(path);
		if (!actual.equals(sha256)) {
			throw new ChecksumMismatchException(path.toString(), sha256, actual);
		}
		return actual;
	}

}
