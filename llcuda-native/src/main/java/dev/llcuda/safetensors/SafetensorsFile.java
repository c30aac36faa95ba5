package dev.llcuda.safetensors;

import dev.llcuda.template.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An open safetensors file: an 8-byte little-endian header length, a JSON header (each
 * tensor's {@code dtype}, {@code shape} and {@code data_offsets} relative to the data
 * that follows, plus an optional {@code __metadata__} object of strings), then the tensor
 * data. The header is validated as Hugging Face's own reader does: known dtypes, sizes
 * that match the shapes, offsets that tile the data exactly to the end of the file.
 * Tensor bytes are memory-mapped on request, never read into the heap.
 */
public final class SafetensorsFile implements AutoCloseable {

	/** The largest header Hugging Face's reader accepts (its {@code MAX_HEADER_SIZE}). */
	public static final long MAX_HEADER_BYTES = 100_000_000;

	/** The key of the header's string-to-string metadata. */
	public static final String METADATA_KEY = "__metadata__";

	private final Path path;

	private final FileChannel channel;

	private final Map<String, String> metadata;

	private final Map<String, SafetensorsTensor> tensors;

	private SafetensorsFile(Path path, FileChannel channel, Map<String, String> metadata,
			Map<String, SafetensorsTensor> tensors) {
		this.path = path;
		this.channel = channel;
		this.metadata = metadata;
		this.tensors = tensors;
	}

	/**
	 * Opens and validates {@code path}.
	 * @throws SafetensorsFormatException naming the file (and tensor) when the header
	 * breaks the format
	 * @throws IOException if the file cannot be read
	 */
	public static SafetensorsFile open(Path path) throws IOException {
		FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
		try {
			long fileSize = channel.size();
			if (fileSize < 8) {
				throw new SafetensorsFormatException(path,
						"the file has " + fileSize + " bytes, fewer than the 8 of the header length");
			}
			ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
			readFully(channel, lengthBytes, 0);
			long headerLength = lengthBytes.getLong(0);
			if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > fileSize - 8) {
				throw new SafetensorsFormatException(path,
						"header length " + Long.toUnsignedString(headerLength) + " is outside 2.."
								+ Math.min(MAX_HEADER_BYTES, fileSize - 8) + " (file size " + fileSize
								+ ", limit MAX_HEADER_BYTES = " + MAX_HEADER_BYTES + ")");
			}
			ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
			readFully(channel, headerBytes, 8);
			long dataStart = 8 + headerLength;
			Map<String, Object> header = parseHeader(path, headerBytes.flip());
			Map<String, String> metadata = metadata(path, header.remove(METADATA_KEY));
			Map<String, SafetensorsTensor> tensors = tensors(path, header, dataStart, fileSize - dataStart);
			return new SafetensorsFile(path, channel, metadata, tensors);
		}
		catch (IOException | RuntimeException e) {
			channel.close();
			throw e;
		}
	}

	public Path path() {
		return path;
	}

	/**
	 * The header's {@code __metadata__} (e.g. {@code format = pt}); empty when it has
	 * none.
	 */
	public Map<String, String> metadata() {
		return metadata;
	}

	/** The tensors in the order of their data. */
	public List<SafetensorsTensor> tensors() {
		return List.copyOf(tensors.values());
	}

	public Optional<SafetensorsTensor> tensor(String name) {
		return Optional.ofNullable(tensors.get(name));
	}

	/**
	 * The raw bytes of {@code tensor} as stored (little-endian elements, row-major): a
	 * read-only, memory-mapped view, not a copy.
	 * @throws IllegalArgumentException if the tensor is not this file's or exceeds the 2
	 * GiB one buffer holds
	 */
	public ByteBuffer bytes(SafetensorsTensor tensor) {
		return bytes(tensor, 0, tensor.byteSize());
	}

	/**
	 * {@code length} raw bytes of {@code tensor} from {@code start} (relative to the
	 * tensor), for tensors larger than one buffer.
	 * @throws IllegalArgumentException if the tensor is not this file's or the range
	 * leaves it or exceeds 2 GiB
	 */
	public ByteBuffer bytes(SafetensorsTensor tensor, long start, long length) {
		if (!tensor.equals(tensors.get(tensor.name()))) {
			throw new IllegalArgumentException("tensor " + tensor + " is not in " + path);
		}
		if (start < 0 || length < 0 || start > tensor.byteSize() - length) {
			throw new IllegalArgumentException("bytes " + start + "+" + length + " leave tensor '" + tensor.name()
					+ "' of " + tensor.byteSize() + " bytes");
		}
		if (length > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("tensor '" + tensor.name() + "': " + length
					+ " bytes at once exceed the " + Integer.MAX_VALUE + " a buffer holds; read it in slices");
		}
		try {
			return channel.map(FileChannel.MapMode.READ_ONLY, tensor.offset() + start, length)
				.order(ByteOrder.LITTLE_ENDIAN);
		}
		catch (IOException e) {
			throw new UncheckedIOException("mapping tensor '" + tensor.name() + "' of " + path, e);
		}
	}

	@Override
	public void close() throws IOException {
		channel.close();
	}

	private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
		while (buffer.hasRemaining()) {
			if (channel.read(buffer, position + buffer.position()) < 0) {
				throw new IOException("unexpected end of file");
			}
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> parseHeader(Path path, ByteBuffer bytes) throws SafetensorsFormatException {
		String text;
		try {
			text = StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(bytes)
				.toString();
		}
		catch (CharacterCodingException e) {
			throw new SafetensorsFormatException(path, "the header is not UTF-8");
		}
		if (!text.startsWith("{")) {
			throw new SafetensorsFormatException(path, "the header does not start with '{'");
		}
		Object header;
		try {
			header = Json.parse(text, path + " header");
		}
		catch (IllegalArgumentException e) {
			throw new SafetensorsFormatException(path, "the header is not valid JSON: " + e.getMessage());
		}
		if (!(header instanceof Map<?, ?> map)) {
			throw new SafetensorsFormatException(path, "the header is not a JSON object");
		}
		return new LinkedHashMap<>((Map<String, Object>) map);
	}

	private static Map<String, String> metadata(Path path, @Nullable Object value) throws SafetensorsFormatException {
		Map<String, String> metadata = new LinkedHashMap<>();
		if (value == null) {
			return Map.of();
		}
		if (!(value instanceof Map<?, ?> map)) {
			throw new SafetensorsFormatException(path, METADATA_KEY + " is not an object");
		}
		for (var entry : map.entrySet()) {
			if (!(entry.getValue() instanceof String text)) {
				throw new SafetensorsFormatException(path, METADATA_KEY + "." + entry.getKey() + " is not a string");
			}
			metadata.put((String) entry.getKey(), text);
		}
		return Map.copyOf(metadata);
	}

	private static Map<String, SafetensorsTensor> tensors(Path path, Map<String, Object> header, long dataStart,
			long dataSize) throws SafetensorsFormatException {
		List<SafetensorsTensor> list = new ArrayList<>();
		for (var entry : header.entrySet()) {
			list.add(tensor(path, entry.getKey(), entry.getValue(), dataStart));
		}
		list.sort(Comparator.comparingLong(SafetensorsTensor::offset));
		long expected = dataStart;
		Map<String, SafetensorsTensor> byName = new LinkedHashMap<>();
		for (SafetensorsTensor t : list) {
			if (t.offset() != expected) {
				throw new SafetensorsFormatException(path, t.name(), "data starts at " + (t.offset() - dataStart)
						+ ", expected " + (expected - dataStart) + " (tensor data must tile the data section)");
			}
			expected = t.offset() + t.byteSize();
			byName.put(t.name(), t);
		}
		if (expected - dataStart != dataSize) {
			throw new SafetensorsFormatException(path,
					"the tensors cover " + (expected - dataStart) + " bytes of data, the file holds " + dataSize);
		}
		return byName;
	}

	private static SafetensorsTensor tensor(Path path, String name, Object value, long dataStart)
			throws SafetensorsFormatException {
		if (!(value instanceof Map<?, ?> fields)) {
			throw new SafetensorsFormatException(path, name, "the entry is not an object");
		}
		if (!(fields.get("dtype") instanceof String dtypeName)) {
			throw new SafetensorsFormatException(path, name, "missing string field 'dtype'");
		}
		SafetensorsDtype dtype = SafetensorsDtype.byName(dtypeName)
			.orElseThrow(() -> new SafetensorsFormatException(path, name,
					"unknown dtype '" + dtypeName + "' (known: " + SafetensorsDtype.names() + ")"));
		long[] shape = longs(path, name, fields.get("shape"), "shape", -1);
		long[] offsets = longs(path, name, fields.get("data_offsets"), "data_offsets", 2);
		if (offsets[1] < offsets[0]) {
			throw new SafetensorsFormatException(path, name,
					"data_offsets [" + offsets[0] + ", " + offsets[1] + "] end before they begin");
		}
		long bytes;
		try {
			long elements = 1;
			for (long dim : shape) {
				elements = Math.multiplyExact(elements, dim);
			}
			bytes = Math.multiplyExact(elements, (long) dtype.bytes());
		}
		catch (ArithmeticException e) {
			throw new SafetensorsFormatException(path, name, "shape overflows a 64-bit byte count");
		}
		if (offsets[1] - offsets[0] != bytes) {
			throw new SafetensorsFormatException(path, name, "data_offsets span " + (offsets[1] - offsets[0])
					+ " bytes, but " + dtype + " of shape " + Arrays.toString(shape) + " needs " + bytes);
		}
		return new SafetensorsTensor(path, name, dtype, shape, dataStart + offsets[0], bytes);
	}

	/** A JSON array of non-negative integers; {@code length} -1 for any length. */
	private static long[] longs(Path path, String name, @Nullable Object value, String field, int length)
			throws SafetensorsFormatException {
		if (!(value instanceof List<?> list) || (length >= 0 && list.size() != length)) {
			throw new SafetensorsFormatException(path, name, "field '" + field + "' is not an array"
					+ (length >= 0 ? " of " + length + " integers" : " of integers"));
		}
		long[] values = new long[list.size()];
		for (int i = 0; i < values.length; i++) {
			if (!(list.get(i) instanceof Long v) || v < 0) {
				throw new SafetensorsFormatException(path, name,
						"field '" + field + "'[" + i + "] = " + list.get(i) + " is not a non-negative integer");
			}
			values[i] = v;
		}
		return values;
	}

}
