package dev.llcuda.gguf;

import java.io.IOException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A GGUF file that breaks the format or lacks what a model needs. The message names the
 * file, the byte offset (when the problem has a place) and what is wrong.
 */
public final class GgufFormatException extends IOException {

	private static final long serialVersionUID = 1L;

	/**
	 * {@link #offset()} of a problem that is an absence (a missing key or tensor), not a
	 * place.
	 */
	public static final long NO_OFFSET = -1;

	private final transient @Nullable Path path;

	private final long offset;

	public GgufFormatException(@Nullable Path path, long offset, @Nullable String problem) {
		super((path == null ? "GGUF data" : path.toString()) + (offset >= 0 ? " at byte offset " + offset : "") + ": "
				+ problem);
		this.path = path;
		this.offset = offset;
	}

	/** The file with the problem, or null for data that did not come from a file. */
	public @Nullable Path path() {
		return path;
	}

	/** The byte offset of the problem in the file, or {@link #NO_OFFSET}. */
	public long offset() {
		return offset;
	}

}
