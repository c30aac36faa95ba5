package dev.llcuda.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import dev.llcuda.runtime.ModelActivator;

/**
 * The SHA-256 and size of an entry. A file's are its own; a directory's (a checkpoint, a
 * PEFT adapter) cover its regular files directly inside it, which are all a conversion or
 * an adapter load reads: the SHA-256 of the lines {@code "<file SHA-256>  <name>\n"} in
 * name order (what {@code sha256sum *} prints in the directory, hashed again), the size
 * their sum.
 */
final class EntryDigest {

	private EntryDigest() {
	}

	/** Whether the entry is still there as the kind it was registered as. */
	static boolean exists(Path path, EntryKind kind) {
		return kind.isDirectory() ? Files.isDirectory(path) : Files.isRegularFile(path);
	}

	/** Hashes each file through {@code hasher}, which reports how far it is. */
	static String sha256(Path path, ModelActivator hasher) throws IOException {
		if (!Files.isDirectory(path)) {
			return hasher.sha256(path);
		}
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
		for (Path file : files(path)) {
			digest.update((hasher.sha256(file) + "  " + file.getFileName() + "\n").getBytes(StandardCharsets.UTF_8));
		}
		return HexFormat.of().formatHex(digest.digest());
	}

	static long size(Path path) throws IOException {
		if (!Files.isDirectory(path)) {
			return Files.size(path);
		}
		long total = 0;
		for (Path file : files(path)) {
			total += Files.size(file);
		}
		return total;
	}

	private static List<Path> files(Path directory) throws IOException {
		try (Stream<Path> entries = Files.list(directory)) {
			return entries.filter(Files::isRegularFile)
				.sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
				.toList();
		}
	}

}
