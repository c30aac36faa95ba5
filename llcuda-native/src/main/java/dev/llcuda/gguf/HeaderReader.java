package dev.llcuda.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Reads the little-endian header fields of a GGUF file from a buffer that starts at file
 * offset 0, checking before every read that the bytes are there, so that no count or
 * length taken from the file can make it read past the end or allocate more than the file
 * holds.
 */
final class HeaderReader {

	private final Path path;

	private final ByteBuffer buffer;

	private final long fileSize;

	HeaderReader(Path path, ByteBuffer buffer, long fileSize) {
		this.path = path;
		this.buffer = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
		this.buffer.position(0);
		this.fileSize = fileSize;
	}

	Path path() {
		return path;
	}

	long fileSize() {
		return fileSize;
	}

	/** The file offset of the next byte to read. */
	long offset() {
		return buffer.position();
	}

	/** Bytes left to read. */
	long remaining() {
		return buffer.remaining();
	}

	GgufFormatException error(long offset, String problem) {
		return new GgufFormatException(path, offset, problem);
	}

	/** Fails unless {@code bytes} more bytes can be read for {@code what}. */
	void need(long bytes, String what) throws GgufFormatException {
		need(bytes, () -> what);
	}

	/**
	 * As {@link #need(long, String)}, building the description only on failure (for hot
	 * loops).
	 */
	void need(long bytes, Supplier<String> what) throws GgufFormatException {
		if (bytes < 0 || bytes > buffer.remaining()) {
			String where = buffer.limit() < fileSize
					? "the " + buffer.limit() + "-byte header window (headers over 2 GiB are not supported)"
					: "the file (" + fileSize + " bytes)";
			throw error(offset(), "truncated: " + what.get() + " needs " + Long.toUnsignedString(bytes) + " bytes but "
					+ buffer.remaining() + " remain in " + where);
		}
	}

	int u8(String what) throws GgufFormatException {
		need(1, what);
		return buffer.get() & 0xFF;
	}

	int i8(String what) throws GgufFormatException {
		need(1, what);
		return buffer.get();
	}

	int u16(String what) throws GgufFormatException {
		need(2, what);
		return buffer.getShort() & 0xFFFF;
	}

	int i16(String what) throws GgufFormatException {
		need(2, what);
		return buffer.getShort();
	}

	long u32(String what) throws GgufFormatException {
		need(4, what);
		return buffer.getInt() & 0xFFFF_FFFFL;
	}

	int i32(String what) throws GgufFormatException {
		need(4, what);
		return buffer.getInt();
	}

	/** A 64-bit field as its raw bits (callers decide between signed and unsigned). */
	long u64(String what) throws GgufFormatException {
		need(8, what);
		return buffer.getLong();
	}

	float f32(String what) throws GgufFormatException {
		need(4, what);
		return buffer.getFloat();
	}

	double f64(String what) throws GgufFormatException {
		need(8, what);
		return buffer.getDouble();
	}

	/**
	 * A count of items each at least {@code minItemBytes} long; fails if the remaining
	 * bytes could not hold that many, so the count is safe to size collections with.
	 */
	int count(String what, int minItemBytes, GgufLimit limit) throws GgufFormatException {
		long at = offset();
		long count = u64(what);
		long fits = remaining() / minItemBytes;
		if (count < 0 || count > fits) {
			throw error(at, what + " " + Long.toUnsignedString(count) + " is larger than the " + remaining()
					+ " remaining bytes can hold (at most " + fits + ")");
		}
		limit.check(count, at, what, this);
		return (int) count;
	}

	/**
	 * A GGUF string: u64 byte length, then UTF-8 bytes (invalid sequences decode to
	 * U+FFFD).
	 */
	String string(String what, GgufLimit limit) throws GgufFormatException {
		byte[] bytes = new byte[stringLength(() -> what, limit)];
		buffer.get(bytes);
		return new String(bytes, StandardCharsets.UTF_8);
	}

	/** Skips {@code bytes} bytes that {@link #need} has checked. */
	void skip(int bytes) {
		buffer.position(buffer.position() + bytes);
	}

	/** The bytes from file offset {@code start} up to the current offset. */
	ByteBuffer slice(int start) {
		return buffer.slice(start, buffer.position() - start);
	}

	/**
	 * The u64 length prefix of a string, checked against the bytes that remain and
	 * against {@code limit}.
	 */
	int stringLength(Supplier<String> what, GgufLimit limit) throws GgufFormatException {
		long at = offset();
		need(8, () -> what.get() + " length");
		long length = buffer.getLong();
		if (length < 0 || length > remaining()) {
			throw error(at, what.get() + " length " + Long.toUnsignedString(length) + " exceeds the " + remaining()
					+ " remaining bytes");
		}
		if (length > limit.value()) {
			limit.check(length, at, what.get() + " length", this);
		}
		return (int) length;
	}

}
