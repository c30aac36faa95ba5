package dev.llcuda.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTests {

	@TempDir
	Path dir;

	@Test
	void everyValueTypeRoundTrips() throws IOException {
		List<GgufValue> values = List.of(GgufValue.uint8(255), GgufValue.int8(-128), GgufValue.uint16(65535),
				GgufValue.int16(-32768), GgufValue.uint32(0xFFFF_FFFFL), GgufValue.int32(Integer.MIN_VALUE),
				GgufValue.float32(-1.5e-7f), GgufValue.bool(true), GgufValue.bool(false),
				GgufValue.string("ünïcödé \n \"q\" 🦙"), GgufValue.string(""), GgufValue.uint64(-1L),
				GgufValue.int64(Long.MIN_VALUE), GgufValue.float64(Math.PI), GgufValue.float32(Float.NaN),
				GgufValue.strings("a", "", "🦙"), GgufValue.float32s(1f, -2.5f), GgufValue.int32s(),
				GgufValue.array(GgufValueType.UINT8, List.of(GgufValue.uint8(0), GgufValue.uint8(200))),
				GgufValue.array(GgufValueType.BOOL, List.of(GgufValue.bool(true), GgufValue.bool(false))),
				GgufValue.array(GgufValueType.UINT64, List.of(GgufValue.uint64(-2L))),
				GgufValue.array(GgufValueType.FLOAT64, List.of(GgufValue.float64(-0.0))),
				GgufValue.array(GgufValueType.ARRAY, List.of(GgufValue.strings("x", "y"), GgufValue.int32s(7),
						GgufValue.array(GgufValueType.ARRAY, List.of(GgufValue.float32s(3f))))));
		GgufWriter writer = new GgufWriter();
		for (int i = 0; i < values.size(); i++) {
			writer.put("key." + i, values.get(i));
		}
		Path file = dir.resolve("values.gguf");
		writer.write(file);
		try (GgufFile gguf = GgufFile.open(file)) {
			assertEquals(3, gguf.version());
			assertEquals(values.size(), gguf.metadata().size());
			for (int i = 0; i < values.size(); i++) {
				assertEquals(values.get(i), gguf.metadata().get("key." + i), "key." + i);
			}
			assertEquals(List.of("key.0", "key.1", "key.2"), gguf.metadata().keys().stream().limit(3).toList());
		}
	}

	@Test
	void tensorsAreAlignedAndTheirBytesReadBack() throws IOException {
		byte[] f32 = new byte[3 * 4];
		ByteBuffer.wrap(f32).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(-2f).putFloat(0.5f);
		byte[] q8 = new byte[2 * 34];
		for (int i = 0; i < q8.length; i++) {
			q8[i] = (byte) i;
		}
		for (int alignment : new int[] { 1, 8, 32, 64, 4096 }) {
			Path file = dir.resolve("aligned-" + alignment + ".gguf");
			GgufWriter writer = new GgufWriter().alignment(alignment).putString("general.name", "t");
			writer.addTensor("a", GgmlType.F32, new long[] { 3 }, f32);
			writer.addTensor("b", GgmlType.Q8_0, new long[] { 32, 2 }, q8);
			writer.addTensor("c", GgmlType.F16, new long[] { 5, 1, 1, 2 }, out -> out.write(new byte[20]));
			writer.write(file);
			try (GgufFile gguf = GgufFile.open(file)) {
				assertEquals(alignment, gguf.alignment());
				assertEquals(0, gguf.dataOffset() % alignment);
				assertEquals(List.of("a", "b", "c"), gguf.tensors().stream().map(TensorInfo::name).toList());
				for (TensorInfo t : gguf.tensors()) {
					assertEquals(0, (t.offset() - gguf.dataOffset()) % alignment, t.name());
				}
				TensorInfo a = gguf.tensor("a").orElseThrow();
				assertEquals(gguf.dataOffset(), a.offset());
				ByteBuffer data = gguf.tensorData(a);
				assertEquals(-2f, data.getFloat(4));
				assertTrue(data.isReadOnly());
				byte[] back = new byte[q8.length];
				gguf.tensorData(gguf.tensor("b").orElseThrow()).get(back);
				assertArrayEquals(q8, back);
				TensorInfo c = gguf.tensor("c").orElseThrow();
				assertArrayEquals(new long[] { 5, 1, 1, 2 }, c.dims());
				assertEquals(10, c.elementCount());
				assertEquals(20, c.byteSize());
				byte[] onDisk = Files.readAllBytes(file);
				assertEquals(onDisk.length, gguf.fileSize());
				assertEquals(q8[5], onDisk[(int) gguf.tensor("b").orElseThrow().offset() + 5]);
			}
		}
	}

	@Test
	void version2FilesRead() throws IOException {
		Path file = dir.resolve("v2.gguf");
		new GgufWriter().version(2).putUint32("x", 7).write(file);
		try (GgufFile gguf = GgufFile.open(file)) {
			assertEquals(2, gguf.version());
			assertEquals(7, gguf.metadata().requireInteger("x"));
		}
	}

	@Test
	void streamedTensorOfTheWrongSizeFailsTheWrite() {
		GgufWriter writer = new GgufWriter().addTensor("t", GgmlType.F32, new long[] { 4 },
				out -> out.write(new byte[15]));
		IOException e = assertThrows(IOException.class, () -> writer.write(dir.resolve("short.gguf")));
		assertTrue(e.getMessage().contains("wrote 15 bytes, expected 16"), e.getMessage());
	}

	@Test
	void writerRefusesWhatItCannotWriteCorrectly() {
		GgufWriter writer = new GgufWriter().putUint32("k", 1)
			.addTensor("t", GgmlType.F32, new long[] { 1 }, new byte[4]);
		assertThrows(IllegalArgumentException.class, () -> writer.putUint32("k", 2));
		assertThrows(IllegalArgumentException.class,
				() -> writer.addTensor("t", GgmlType.F32, new long[] { 1 }, new byte[4]));
		assertThrows(IllegalArgumentException.class,
				() -> writer.addTensor("u", GgmlType.F32, new long[] { 2 }, new byte[4]));
		assertThrows(IllegalArgumentException.class,
				() -> writer.addTensor("v", GgmlType.Q4_K, new long[] { 32 }, new byte[18]));
		assertThrows(IllegalArgumentException.class,
				() -> writer.addTensor("w", GgmlType.F32, new long[] { 1, 1, 1, 1, 1 }, new byte[4]));
		assertThrows(IllegalArgumentException.class, () -> writer.alignment(24));
		assertThrows(IllegalArgumentException.class, () -> writer.version(1));
		assertThrows(IllegalArgumentException.class, () -> GgufValue.uint8(256));
		assertThrows(IllegalArgumentException.class,
				() -> GgufValue.array(GgufValueType.INT32, List.of(GgufValue.uint8(1))));
	}

}
