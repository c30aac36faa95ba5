package dev.llcuda.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What identifies the version of a file: its size, modification time and file key (device
 * and inode on Linux, so a file replaced by another under the same name differs).
 *
 * @param size bytes
 * @param modified last modification time
 * @param key the file system's key of the file, when it has one
 */
public record FileIdentity(long size, FileTime modified, @Nullable Object key) {

	public static FileIdentity of(Path file) throws IOException {
		BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
		return new FileIdentity(attributes.size(), attributes.lastModifiedTime(), attributes.fileKey());
	}

	/**
	 * How {@code file} differs from this identity now ("size 1024 -> 0 bytes", "replaced
	 * by another file", "deleted"), or empty when it is the same version.
	 */
	public Optional<String> changeOf(Path file) {
		FileIdentity now;
		try {
			now = of(file);
		}
		catch (NoSuchFileException e) {
			return Optional.of("deleted");
		}
		catch (IOException e) {
			return Optional.of("unreadable (" + e.getMessage() + ")");
		}
		List<String> changes = new ArrayList<>();
		if (!Objects.equals(key, now.key)) {
			changes.add("replaced by another file");
		}
		if (size != now.size) {
			changes.add("size " + size + " -> " + now.size + " bytes");
		}
		if (!modified.equals(now.modified)) {
			changes.add("modified " + now.modified);
		}
		return changes.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", changes));
	}
}
