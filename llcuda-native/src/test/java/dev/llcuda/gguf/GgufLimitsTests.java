package dev.llcuda.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headers that fit in their file but ask for more than any model needs are refused,
 * naming the field, its offset and the limit, before anything of that size is built.
 */
class GgufLimitsTests {

	private static final int ARRAY = 9;

	private static final int UINT8 = 0;

	private static final int STRING = 8;

	@TempDir
	Path dir;

	@Test
	void tooManyTensors() throws IOException {
		ByteBuffer file = header(70_000, 0, 70_000 * 24);
		assertRefused(file, 8, "tensor count 70000 is more than the limit MAX_TENSORS = 65536");
	}

	@Test
	void tooManyMetadataPairs() throws IOException {
		ByteBuffer file = header(0, 70_000, 70_000 * 13);
		assertRefused(file, 16, "metadata key-value count 70000 is more than the limit MAX_METADATA_KV = 65536");
	}

	@Test
	void aKeyLongerThanTheSpecificationAllows() throws IOException {
		ByteBuffer file = header(0, 1, 70_000);
		string(file, "k".repeat(65_536));
		file.putInt(UINT8).put((byte) 1);
		assertRefused(file, 24, "metadata key #0 length 65536 is more than the limit MAX_KEY_BYTES = 65535");
	}

	@Test
	void aTensorNameLongerThanTheSpecificationAllows() throws IOException {
		Path file = dir.resolve("name.gguf");
		new GgufWriter().addTensor("n".repeat(65), GgmlType.F32, new long[] { 1 }, new byte[4]).write(file);
		GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(file).close());
		assertEquals(file + " at byte offset 24: name of tensor #0 length 65 is more than the limit "
				+ "MAX_TENSOR_NAME_BYTES = 64", e.getMessage());
	}

	@Test
	void aStringValueOverSixteenMegabytes() throws IOException {
		ByteBuffer file = header(0, 1, (1 << 24) + 64);
		string(file, "k");
		file.putInt(STRING).putLong((1 << 24) + 1).position(file.position() + (1 << 24) + 1);
		assertRefused(file, 24 + 9 + 4,
				"value of 'k' length 16777217 is more than the limit MAX_STRING_BYTES = 16777216");
	}

	@Test
	void anArrayOfMoreThanSixteenMillionElements() throws IOException {
		ByteBuffer file = header(0, 1, (1 << 24) + 64);
		string(file, "k");
		file.putInt(ARRAY).putInt(UINT8).putLong((1 << 24) + 1).position(file.position() + (1 << 24) + 1);
		assertRefused(file, 24 + 9 + 4 + 4,
				"value of 'k' element count 16777217 is more than the limit " + "MAX_ARRAY_LENGTH = 16777216");
	}

	@Test
	void tooManyNestedArrays() throws IOException {
		ByteBuffer file = header(0, 1, 70_000 * 12 + 64);
		string(file, "k");
		file.putInt(ARRAY).putInt(ARRAY).putLong(70_000);
		for (int i = 0; i < 70_000; i++) {
			file.putInt(UINT8).putLong(0);
		}
		long at = 24 + 9 + 4 + 4 + 8 + 65_536L * 12;
		assertRefused(file, at,
				"nested arrays (with value of 'k'[65536]) 65537 is more than the limit " + "MAX_NESTED_ARRAYS = 65536");
	}

	/** Magic, version 3 and the two counts, with room for {@code body} more bytes. */
	private static ByteBuffer header(long tensors, long pairs, int body) {
		return ByteBuffer.allocate(24 + body)
			.order(ByteOrder.LITTLE_ENDIAN)
			.putInt(GgufParser.MAGIC)
			.putInt(3)
			.putLong(tensors)
			.putLong(pairs);
	}

	private static void string(ByteBuffer file, String text) {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		file.putLong(bytes.length).put(bytes);
	}

	private void assertRefused(ByteBuffer bytes, long offset, String problem) throws IOException {
		Path file = dir.resolve("limits.gguf");
		Files.write(file, bytes.array());
		GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(file).close());
		assertEquals(file + " at byte offset " + offset + ": " + problem, e.getMessage());
		assertEquals(offset, e.offset());
	}

}
