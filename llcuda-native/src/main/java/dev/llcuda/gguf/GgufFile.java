package dev.llcuda.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open GGUF file (version 2 or 3): its parsed header and memory-mapped access to each
 * tensor's bytes. The data region is never read into the heap; each tensor is mapped on
 * request, so files larger than 2 GiB and larger than RAM work.
 */
public final class GgufFile implements AutoCloseable {

	/** The header is read through one mapping, which Java limits to 2 GiB. */
	private static final long MAX_HEADER_WINDOW = Integer.MAX_VALUE;

	private final Path path;

	private final FileChannel channel;

	private final long fileSize;

	private final GgufParser.Header header;

	private final Map<String, TensorInfo> tensorsByName = new LinkedHashMap<>();

	private GgufFile(Path path, FileChannel channel, long fileSize, GgufParser.Header header) {
		this.path = path;
		this.channel = channel;
		this.fileSize = fileSize;
		this.header = header;
		header.tensors().forEach(t -> tensorsByName.put(t.name(), t));
	}

	/**
	 * Opens and validates {@code path}.
	 * @throws GgufFormatException if the file breaks the GGUF format
	 * @throws IOException if it cannot be read
	 */
	public static GgufFile open(Path path) throws IOException {
		FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
		try {
			long size = channel.size();
			ByteBuffer window = channel.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, MAX_HEADER_WINDOW));
			return new GgufFile(path, channel, size, GgufParser.parse(path, window, size));
		}
		catch (IOException | RuntimeException e) {
			channel.close();
			throw e;
		}
	}

	public Path path() {
		return path;
	}

	/** The GGUF version, 2 or 3. */
	public int version() {
		return header.version();
	}

	/** The alignment of tensor data in bytes ({@code general.alignment}, default 32). */
	public long alignment() {
		return header.alignment();
	}

	/** The absolute file offset where the tensor data section starts. */
	public long dataOffset() {
		return header.dataOffset();
	}

	public long fileSize() {
		return fileSize;
	}

	public GgufMetadata metadata() {
		return header.metadata();
	}

	/** The tensors in file order. */
	public List<TensorInfo> tensors() {
		return header.tensors();
	}

	public Optional<TensorInfo> tensor(String name) {
		return Optional.ofNullable(tensorsByName.get(name));
	}

	/**
	 * The total number of elements of all tensors (the parameter count of a model file).
	 */
	public long elementCount() {
		long count = 0;
		for (TensorInfo t : header.tensors()) {
			count += t.elementCount();
		}
		return count;
	}

	/**
	 * The bytes of {@code tensor}: a read-only, little-endian, memory-mapped view, not a
	 * copy.
	 * @throws IllegalArgumentException if the tensor is not one of this file's, or
	 * exceeds the 2 GiB a single buffer can hold
	 * @throws IllegalStateException if the file is closed
	 * @throws UncheckedIOException if mapping fails
	 */
	public ByteBuffer tensorData(TensorInfo tensor) {
		if (!tensor.equals(tensorsByName.get(tensor.name()))) {
			throw new IllegalArgumentException("tensor " + tensor + " is not in " + path);
		}
		if (tensor.byteSize() > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("tensor '" + tensor.name() + "' has " + tensor.byteSize()
					+ " bytes; a ByteBuffer holds at most " + Integer.MAX_VALUE);
		}
		if (!channel.isOpen()) {
			throw new IllegalStateException(path + " is closed");
		}
		try {
			return channel.map(FileChannel.MapMode.READ_ONLY, tensor.offset(), tensor.byteSize())
				.order(ByteOrder.LITTLE_ENDIAN);
		}
		catch (IOException e) {
			throw new UncheckedIOException("mapping tensor '" + tensor.name() + "' of " + path, e);
		}
	}

	/**
	 * Closes the file. Buffers already returned stay valid until they are garbage
	 * collected.
	 */
	@Override
	public void close() {
		try {
			channel.close();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

}
