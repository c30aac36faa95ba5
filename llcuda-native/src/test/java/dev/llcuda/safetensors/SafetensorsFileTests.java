package dev.llcuda.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTests {

	@TempDir
	Path dir;

	@Test
	void tensorsKeepTheirDtypeShapeAbsoluteOffsetsAndRawBytesAndTheMetadataIsReachable() throws IOException {
		byte[] packed = { 1, 2, 3, 4, (byte) 0xff, 0, 7, 9 };
		byte[] bf16 = { 0x3f, (byte) 0x80, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0 };
		Path file = dir.resolve("a.safetensors");
		new SafetensorsWriter().metadata("format", "pt")
			.add("w.weight", "U8", new long[] { 2, 4 }, packed)
			.add("w.absmax", "BF16", new long[] { 2, 3 }, bf16)
			.add("scalar", "I64", new long[] {}, new byte[] { 5, 0, 0, 0, 0, 0, 0, 0 })
			.addFloats("empty", new long[] { 0, 3 }, new float[0])
			.write(file);
		try (SafetensorsFile st = SafetensorsFile.open(file)) {
			assertEquals(Map.of("format", "pt"), st.metadata());
			assertEquals(List.of("w.weight", "w.absmax", "scalar", "empty"),
					st.tensors().stream().map(SafetensorsTensor::name).toList());
			SafetensorsTensor weight = st.tensor("w.weight").orElseThrow();
			assertEquals(SafetensorsDtype.U8, weight.dtype());
			assertArrayEquals(new long[] { 2, 4 }, weight.shape());
			assertArrayEquals(new long[] { 4, 2 }, weight.ggufDims());
			long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8)
				.order(ByteOrder.LITTLE_ENDIAN)
				.getLong();
			assertEquals(8 + headerLength, weight.offset());
			assertArrayEquals(packed, bytes(st.bytes(weight)));
			SafetensorsTensor absmax = st.tensor("w.absmax").orElseThrow();
			assertArrayEquals(bf16, bytes(st.bytes(absmax)));
			assertArrayEquals(new byte[] { 0, 0x40 }, bytes(st.bytes(absmax, 2, 2)));
			SafetensorsTensor scalar = st.tensor("scalar").orElseThrow();
			assertEquals(1, scalar.elementCount());
			assertEquals(5, st.bytes(scalar).getLong(0));
			assertEquals(0, st.tensor("empty").orElseThrow().byteSize());
		}
	}

	@Test
	void everyMalformedHeaderIsRefusedNamingTheFileAndTensor() throws IOException {
		byte[] four = new byte[4];
		assertRefused("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", four, "not valid JSON");
		assertRefused("[1,2]", four, "does not start with");
		assertRefused("{\"t\":{\"dtype\":\"F12\",\"shape\":[1],\"data_offsets\":[0,4]}}", four,
				"tensor 't': unknown dtype 'F12'");
		assertRefused("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", four,
				"tensor 't': data_offsets span 4 bytes, but F32 of shape [2] needs 8");
		assertRefused("{\"t\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", four,
				"tensor 't': field 'shape'[0] = -1 is not a non-negative integer");
		assertRefused("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", four,
				"tensor 't': field 'data_offsets' is not an array of 2 integers");
		assertRefused("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", four,
				"end before they begin");
		assertRefused("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[3],
				"the tensors cover 4 bytes of data, the file holds 3");
		assertRefused(
				"{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},"
						+ "\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[2,6]}}",
				new byte[6], "tensor 'b': data starts at 2, expected 4");
		assertRefused("{\"t\":{\"shape\":[1],\"data_offsets\":[0,4]}}", four,
				"tensor 't': missing string field 'dtype'");
		assertRefused("{\"__metadata__\":{\"n\":1}}", new byte[0], "__metadata__.n is not a string");
		assertRefused("{\"t\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", four,
				"tensor 't': shape overflows");
	}

	@Test
	void headerLengthsBeyondTheFileOrTheLimitAreRefused() throws IOException {
		Path file = dir.resolve("x.safetensors");
		Files.write(file, new byte[] { 1, 0, 0 });
		assertMessage(file, "fewer than the 8 of the header length");
		ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40);
		Files.write(file, huge.array());
		assertMessage(file, "header length 1099511627776 is outside 2..8");
		ByteBuffer negative = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1);
		Files.write(file, negative.array());
		assertMessage(file, "header length 18446744073709551615");
	}

	@Test
	void slicesOutsideTheTensorAreRefused() throws IOException {
		Path file = dir.resolve("s.safetensors");
		new SafetensorsWriter().add("t", "U8", new long[] { 4 }, new byte[4]).write(file);
		try (SafetensorsFile st = SafetensorsFile.open(file)) {
			SafetensorsTensor t = st.tensor("t").orElseThrow();
			assertThrows(IllegalArgumentException.class, () -> st.bytes(t, 2, 3));
			assertThrows(IllegalArgumentException.class, () -> st.bytes(t, -1, 1));
		}
	}

	private void assertRefused(String header, byte[] data, String expected) throws IOException {
		Path file = dir.resolve("bad.safetensors");
		SafetensorsWriter.writeRaw(file, header, data);
		assertMessage(file, expected);
	}

	private static void assertMessage(Path file, String expected) {
		SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(file));
		assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
		assertTrue(e.getMessage().contains(expected), e.getMessage() + " lacks: " + expected);
	}

	private static byte[] bytes(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.get(bytes);
		return bytes;
	}

}
