package dev.llcuda.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files beyond 2 GiB: 64-bit offsets and sizes, each tensor mapped on its own. The files
 * are sparse, so the tests take no real disk space or memory.
 */
class GgufLargeFileTests {

	private static final long GIB = 1L << 30;

	@TempDir
	Path dir;

	/**
	 * A file whose tensor 'far' has {@code elements} F32 elements {@code relativeOffset}
	 * bytes into the data.
	 */
	private Path sparseFile(long relativeOffset, long elements) throws IOException {
		Path file = dir.resolve("large.gguf");
		new GgufWriter().putString("general.name", "large")
			.addTensor("near", GgmlType.F32, new long[] { 8 }, new byte[32])
			.addTensor("far", GgmlType.F32, new long[] { 4 }, new byte[16])
			.write(file);
		long dataOffset;
		try (GgufFile small = GgufFile.open(file)) {
			dataOffset = small.dataOffset();
		}
		byte[] bytes = Files.readAllBytes(file);
		int dims = indexOf(bytes, "far") + 3 + 4; // after the name and the dimension
													// count
		ByteBuffer.wrap(bytes)
			.order(ByteOrder.LITTLE_ENDIAN)
			.putLong(dims, elements)
			.putLong(dims + 8 + 4, relativeOffset); // after the dimension and the type
		Files.write(file, bytes);
		try (RandomAccessFile grow = new RandomAccessFile(file.toFile(), "rw")) {
			grow.setLength(dataOffset + relativeOffset + elements * 4);
		}
		return file;
	}

	private static int indexOf(byte[] bytes, String ascii) {
		return new String(bytes, StandardCharsets.ISO_8859_1).indexOf(ascii);
	}

	@Test
	void tensorsBeyondTwoGibibytesMapAtTheirAbsoluteOffset() throws IOException {
		Path file = sparseFile(3 * GIB, 4);
		long absolute;
		try (GgufFile gguf = GgufFile.open(file)) {
			TensorInfo far = gguf.tensor("far").orElseThrow();
			absolute = gguf.dataOffset() + 3 * GIB;
			assertEquals(absolute, far.offset());
			assertEquals(absolute + 16, gguf.fileSize());
		}
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
			channel.write(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 1.5f).putFloat(12, -7f),
					absolute);
		}
		try (GgufFile gguf = GgufFile.open(file)) {
			ByteBuffer data = gguf.tensorData(gguf.tensor("far").orElseThrow());
			assertEquals(1.5f, data.getFloat(0));
			assertEquals(-7f, data.getFloat(12));
		}
	}

	@Test
	void tensorsLargerThanTwoGibibytesReadButCannotBeOneBuffer() throws IOException {
		Path file = sparseFile(32, GIB); // 4 GiB of F32
		try (GgufFile gguf = GgufFile.open(file)) {
			TensorInfo far = gguf.tensor("far").orElseThrow();
			assertEquals(4 * GIB, far.byteSize());
			assertEquals(GIB, far.elementCount());
			assertEquals(GIB + 8, gguf.elementCount());
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gguf.tensorData(far));
			assertTrue(e.getMessage().contains("a ByteBuffer holds at most 2147483647"), e.getMessage());
		}
	}

}
