package dev.llcuda.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of malformed file gets a GgufFormatException naming the file, the offset and
 * the problem.
 */
class GgufBadInputTests {

	@TempDir
	Path dir;

	/** A small valid file: three keys (one an array), two tensors. */
	private byte[] validFile() throws IOException {
		Path file = dir.resolve("valid.gguf");
		new GgufWriter().alignment(32)
			.putString("aa", "x")
			.putString("ab", "y")
			.putStrings("arr", "p", "q")
			.addTensor("t1", GgmlType.F32, new long[] { 4, 2 }, new byte[32])
			.addTensor("t2", GgmlType.Q8_0, new long[] { 32 }, new byte[34])
			.write(file);
		return Files.readAllBytes(file);
	}

	/** Opens {@code bytes} as a file and returns the format error it must cause. */
	private GgufFormatException rejected(byte[] bytes, String expectedProblem) throws IOException {
		Path file = dir.resolve("bad.gguf");
		Files.write(file, bytes);
		try (GgufFile unexpected = GgufFile.open(file)) {
			fail("accepted a file that should fail with: " + expectedProblem);
			return null;
		}
		catch (GgufFormatException e) {
			assertTrue(e.getMessage().contains(expectedProblem), e.getMessage());
			assertTrue(e.getMessage().startsWith(file + " at byte offset " + e.offset() + ": "), e.getMessage());
			assertEquals(file, e.path());
			return e;
		}
	}

	private static int indexOf(byte[] bytes, String ascii) {
		byte[] needle = ascii.getBytes(StandardCharsets.UTF_8);
		outer: for (int i = 0; i <= bytes.length - needle.length; i++) {
			for (int j = 0; j < needle.length; j++) {
				if (bytes[i + j] != needle[j]) {
					continue outer;
				}
			}
			return i;
		}
		throw new IllegalArgumentException(ascii + " not found");
	}

	private static ByteBuffer le(byte[] bytes) {
		return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
	}

	/**
	 * Where tensor {@code name}'s type field is (its info is: name, n_dims, dims, type,
	 * offset).
	 */
	private static int tensorTypeField(byte[] bytes, String name) {
		int rankAt = indexOf(bytes, name) + name.length();
		return rankAt + 4 + 8 * le(bytes).getInt(rankAt);
	}

	@Test
	void wrongMagic() throws IOException {
		byte[] bytes = validFile();
		bytes[3] = 'X';
		assertEquals(0, rejected(bytes, "not a GGUF file: magic is 0x58554747").offset());
	}

	@Test
	void emptyFile() throws IOException {
		assertEquals(0, rejected(new byte[0], "truncated: magic needs 4 bytes but 0 remain").offset());
	}

	@Test
	void unsupportedVersions() throws IOException {
		byte[] bytes = validFile();
		le(bytes).putInt(4, 1);
		assertEquals(4, rejected(bytes, "unsupported GGUF version 1; versions 2 and 3 are supported").offset());
		le(bytes).putInt(4, 4);
		rejected(bytes, "unsupported GGUF version 4");
		ByteBuffer.wrap(bytes).putInt(4, 3); // big-endian 3
		rejected(bytes, "unsupported GGUF version 50331648 (a big-endian file?)");
	}

	@Test
	void truncationAnywhereBeforeTheLastTensorEndsIsAFormatErrorAtOrBeforeTheCut() throws IOException {
		byte[] bytes = validFile();
		Path valid = dir.resolve("valid.gguf");
		long end;
		try (GgufFile gguf = GgufFile.open(valid)) {
			end = gguf.tensors().stream().mapToLong(t -> t.offset() + t.byteSize()).max().orElseThrow();
		}
		try (GgufFile gguf = GgufFile.open(Files.write(valid, Arrays.copyOf(bytes, (int) end)))) {
			assertEquals(2, gguf.tensors().size(), "the padding after the last tensor is optional");
		}
		for (int length = 0; length < end; length++) {
			Path file = dir.resolve("cut.gguf");
			Files.write(file, Arrays.copyOf(bytes, length));
			try (GgufFile unexpected = GgufFile.open(file)) {
				fail("accepted the file cut to " + length + " of " + bytes.length + " bytes");
			}
			catch (GgufFormatException e) {
				assertTrue(e.offset() >= 0 && e.offset() <= length, length + ": " + e.getMessage());
			}
		}
	}

	@Test
	void countsLargerThanTheFile() throws IOException {
		byte[] bytes = validFile();
		le(bytes).putLong(8, 1L << 40);
		assertEquals(8, rejected(bytes, "tensor count 1099511627776 is larger than the").offset());
		bytes = validFile();
		le(bytes).putLong(16, -1L);
		assertEquals(16, rejected(bytes, "metadata key-value count 18446744073709551615 is larger than").offset());
		bytes = validFile();
		int count = indexOf(bytes, "arr") + 3 + 4 + 4; // key, value type ARRAY, element
														// type STRING
		le(bytes).putLong(count, 1L << 60);
		assertEquals(count,
				rejected(bytes, "value of 'arr' element count 1152921504606846976 is larger than").offset());
	}

	@Test
	void stringLengthsLargerThanTheFile() throws IOException {
		byte[] bytes = validFile();
		le(bytes).putLong(24, Long.MAX_VALUE); // the first key's length
		assertEquals(24, rejected(bytes, "metadata key #0 length 9223372036854775807 exceeds the").offset());
		bytes = validFile();
		int length = indexOf(bytes, "aa") + 2 + 4;
		le(bytes).putLong(length, 1000);
		assertEquals(length, rejected(bytes, "value of 'aa' length 1000 exceeds the").offset());
		bytes = validFile();
		int element = indexOf(bytes, "p") - 8;
		le(bytes).putLong(element, -5L);
		rejected(bytes, "value of 'arr'[0] length 18446744073709551611 exceeds the");
		bytes = validFile();
		int name = indexOf(bytes, "t1") - 8;
		le(bytes).putLong(name, 1L << 33);
		rejected(bytes, "name of tensor #0 length 8589934592 exceeds");
	}

	@Test
	void unknownValueTypes() throws IOException {
		byte[] bytes = validFile();
		int type = indexOf(bytes, "ab") + 2;
		le(bytes).putInt(type, 13);
		assertEquals(type, rejected(bytes, "unknown metadata value type 13 for key 'ab'").offset());
		bytes = validFile();
		int elementType = indexOf(bytes, "arr") + 3 + 4;
		le(bytes).putInt(elementType, 99);
		rejected(bytes, "unknown array element type 99 in value of 'arr'");
	}

	@Test
	void unknownTensorType() throws IOException {
		byte[] bytes = validFile();
		int type = tensorTypeField(bytes, "t2");
		le(bytes).putInt(type, 99);
		assertEquals(type, rejected(bytes, "unknown ggml tensor type id 99").offset());
		le(bytes).putInt(type, 4); // Q4_2, retired from ggml
		rejected(bytes, "unknown ggml tensor type id 4");
	}

	@Test
	void tensorOutsideTheFile() throws IOException {
		byte[] bytes = validFile();
		int offset = tensorTypeField(bytes, "t2") + 4;
		le(bytes).putLong(offset, 1L << 40);
		assertEquals(offset, rejected(bytes, "tensor 't2' (34 bytes at data offset 1099511627776").offset());
		le(bytes).putLong(offset, Long.MIN_VALUE);
		rejected(bytes, "tensor 't2' has data offset 9223372036854775808, not a multiple");
		le(bytes).putLong(offset, Long.MAX_VALUE & -32L);
		rejected(bytes, "lies outside the file");
		bytes = validFile();
		le(bytes).putLong(offset, 64); // starts inside, ends past the end
		rejected(bytes, "tensor 't2' (34 bytes at data offset 64");
	}

	@Test
	void overlappingTensors() throws IOException {
		byte[] bytes = validFile();
		int offset = tensorTypeField(bytes, "t2") + 4;
		le(bytes).putLong(offset, 0); // t2's 34 bytes now start where t1's 32 do
		GgufFormatException e = rejected(bytes, "tensor 't2' (bytes ");
		assertTrue(e.getMessage().contains(" overlaps tensor 't1' (bytes "), e.getMessage());
		assertEquals(offset, e.offset());
	}

	@Test
	void misalignedTensor() throws IOException {
		byte[] bytes = validFile();
		int offset = tensorTypeField(bytes, "t2") + 4;
		le(bytes).putLong(offset, 36);
		assertEquals(offset,
				rejected(bytes, "tensor 't2' has data offset 36, not a multiple of the alignment 32").offset());
	}

	@Test
	void alignmentThatIsNotAPowerOfTwo() throws IOException {
		byte[] bytes = validFile();
		int value = indexOf(bytes, "general.alignment") + "general.alignment".length() + 4;
		le(bytes).putInt(value, 24);
		assertEquals(value, rejected(bytes, "general.alignment = 24 is not a power of two").offset());
		le(bytes).putInt(value, 0);
		rejected(bytes, "general.alignment = 0 is not a power of two");
	}

	@Test
	void overflowingDimensions() throws IOException {
		byte[] bytes = validFile();
		int dims = indexOf(bytes, "t1") + 2 + 4;
		le(bytes).putLong(dims, 1L << 40).putLong(dims + 8, 1L << 40);
		assertEquals(dims + 8,
				rejected(bytes,
						"the element count of tensor 't1' [1099511627776, 1099511627776]" + " overflows 64 bits")
					.offset());
		le(bytes).putLong(dims, -4L);
		rejected(bytes, "dimension 0 of tensor 't1' is 18446744073709551612, larger than");
		le(bytes).putLong(dims, 1L << 61).putLong(dims + 8, 2);
		rejected(bytes, "the byte size of tensor 't1' overflows 64 bits");
	}

	@Test
	void badDimensionCountsAndPartialBlocks() throws IOException {
		byte[] bytes = validFile();
		int rank = indexOf(bytes, "t1") + 2;
		le(bytes).putInt(rank, 5);
		rejected(bytes, "tensor 't1' has 5 dimensions; 1 to 4 are allowed");
		le(bytes).putInt(rank, 0);
		rejected(bytes, "tensor 't1' has 0 dimensions");
		bytes = validFile();
		le(bytes).putLong(indexOf(bytes, "t2") + 2 + 4, 33);
		rejected(bytes, "tensor 't2' has rows of 33 elements, not a multiple of the Q8_0 block size 32");
	}

	@Test
	void duplicateKeysAndTensorNames() throws IOException {
		byte[] bytes = validFile();
		int second = indexOf(bytes, "ab");
		bytes[second + 1] = 'a';
		assertEquals(second - 8, rejected(bytes, "duplicate metadata key 'aa' (first value at byte offset").offset());
		bytes = validFile();
		bytes[indexOf(bytes, "t2") + 1] = '1';
		rejected(bytes, "duplicate tensor name 't1' (first at byte offset");
	}

	@Test
	void boolOtherThanZeroOrOne() throws IOException {
		Path file = dir.resolve("bool.gguf");
		new GgufWriter().putBool("flag", true)
			.put("flags", GgufValue.array(GgufValueType.BOOL, List.of(GgufValue.bool(false), GgufValue.bool(true))))
			.write(file);
		byte[] bytes = Files.readAllBytes(file);
		int flag = indexOf(bytes, "flag") + 4 + 4;
		bytes[flag] = 2;
		assertEquals(flag, rejected(bytes, "value of 'flag' is a bool of value 2, expected 0 or 1").offset());
		bytes = Files.readAllBytes(file);
		int elements = indexOf(bytes, "flags") + 5 + 4 + 4 + 8;
		bytes[elements + 1] = (byte) 0xFF;
		assertEquals(elements + 1, rejected(bytes, "value of 'flags'[1] is a bool of value 255").offset());
	}

	@Test
	void arraysNestedTooDeeply() throws IOException {
		GgufValue value = GgufValue.int32s(1);
		for (int depth = 1; depth < GgufParser.MAX_ARRAY_NESTING; depth++) {
			value = GgufValue.array(GgufValueType.ARRAY, List.of(value));
		}
		Path file = dir.resolve("nested.gguf");
		new GgufWriter().put("ok", value).put("deep", GgufValue.array(GgufValueType.ARRAY, List.of(value))).write(file);
		rejected(Files.readAllBytes(file), "nests arrays deeper than 8 levels");
		new GgufWriter().put("ok", value).write(file);
		try (GgufFile gguf = GgufFile.open(file)) {
			assertEquals(value, gguf.metadata().get("ok"));
		}
	}

	@Test
	void missingFileIsAnIoErrorNotAFormatError() {
		IOException e = assertThrows(IOException.class, () -> GgufFile.open(dir.resolve("absent.gguf")));
		assertTrue(!(e instanceof GgufFormatException), e.toString());
	}

}
