package dev.llcuda.safetensors;

import dev.llcuda.template.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors files for tests, as Hugging Face's writer lays them out (header
 * padded with spaces to 8 bytes).
 */
public final class SafetensorsWriter {

	private record Entry(String name, String dtype, long[] shape, byte[] data) {
	}

	private final Map<String, String> metadata = new LinkedHashMap<>();

	private final List<Entry> entries = new ArrayList<>();

	public SafetensorsWriter metadata(String key, String value) {
		metadata.put(key, value);
		return this;
	}

	/**
	 * Adds a tensor of {@code dtype} (a header spelling, e.g. {@code BF16}) with its raw
	 * bytes.
	 */
	public SafetensorsWriter add(String name, String dtype, long[] shape, byte[] data) {
		entries.add(new Entry(name, dtype, shape.clone(), data.clone()));
		return this;
	}

	/** Adds F32 values. */
	public SafetensorsWriter addFloats(String name, long[] shape, float[] values) {
		ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
		bytes.asFloatBuffer().put(values);
		return add(name, "F32", shape, bytes.array());
	}

	/** The header JSON this writer would write. */
	public String header() {
		Map<String, Object> header = new LinkedHashMap<>();
		if (!metadata.isEmpty()) {
			header.put(SafetensorsFile.METADATA_KEY, new LinkedHashMap<>(metadata));
		}
		long offset = 0;
		for (Entry e : entries) {
			Map<String, Object> fields = new LinkedHashMap<>();
			fields.put("dtype", e.dtype());
			List<Object> shape = new ArrayList<>();
			for (long dim : e.shape()) {
				shape.add(dim);
			}
			fields.put("shape", shape);
			fields.put("data_offsets", List.of(offset, offset + e.data().length));
			offset += e.data().length;
			header.put(e.name(), fields);
		}
		return Json.write(header);
	}

	public void write(Path path) throws IOException {
		ByteArrayOutputStream data = new ByteArrayOutputStream();
		for (Entry e : entries) {
			data.writeBytes(e.data());
		}
		writeRaw(path, header(), data.toByteArray());
	}

	/**
	 * A file of exactly this header text (padded with spaces to a multiple of 8 bytes)
	 * and data.
	 */
	public static void writeRaw(Path path, String header, byte[] data) throws IOException {
		byte[] text = header.getBytes(StandardCharsets.UTF_8);
		int padded = (text.length + 7) / 8 * 8;
		ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
		try (OutputStream out = Files.newOutputStream(path)) {
			out.write(length.array());
			out.write(text);
			out.write(" ".repeat(padded - text.length).getBytes(StandardCharsets.US_ASCII));
			out.write(data);
		}
	}

}
