package dev.llcuda.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufMetadataTests {

	@TempDir
	Path dir;

	private GgufFile file;

	private GgufMetadata metadata;

	@BeforeEach
	void write() throws IOException {
		Path path = dir.resolve("meta.gguf");
		new GgufWriter().putString("s", "text")
			.put("u8", GgufValue.uint8(200))
			.put("i16", GgufValue.int16(-7))
			.putUint64("big", -1L)
			.put("i64", GgufValue.int64(1L << 40))
			.putFloat32("f", 0.25f)
			.put("d", GgufValue.float64(1e-300))
			.putBool("b", true)
			.putStrings("tokens", "a", "b")
			.putFloat32s("scores", 0.5f, -1f)
			.put("doubles", GgufValue.array(GgufValueType.FLOAT64, List.of(GgufValue.float64(2.5))))
			.putInt32s("types", 1, 2, 3)
			.put("u32s", GgufValue.array(GgufValueType.UINT32, List.of(GgufValue.uint32(0xFFFF_FFFFL))))
			.write(path);
		file = GgufFile.open(path);
		metadata = file.metadata();
	}

	@AfterEach
	void close() {
		file.close();
	}

	@Test
	void typedAccessorsReturnTheValues() throws GgufFormatException {
		assertEquals(Optional.of("text"), metadata.string("s"));
		assertEquals("text", metadata.requireString("s"));
		assertEquals(OptionalLong.of(200), metadata.integer("u8"));
		assertEquals(-7, metadata.requireInteger("i16"));
		assertEquals(1L << 40, metadata.requireInteger("i64"));
		assertEquals(Optional.of(0.25), metadata.real("f"));
		assertEquals(1e-300, metadata.requireReal("d"));
		assertEquals(Optional.of(true), metadata.bool("b"));
		assertArrayEquals(new String[] { "a", "b" }, metadata.stringArray("tokens"));
		assertArrayEquals(new float[] { 0.5f, -1f }, metadata.floatArray("scores"));
		assertArrayEquals(new float[] { 2.5f }, metadata.floatArray("doubles"));
		assertArrayEquals(new int[] { 1, 2, 3 }, metadata.intArray("types"));
		assertArrayEquals(new int[] { 1, 2, 3 }, metadata.optIntArray("types").orElseThrow());
		assertEquals(OptionalLong.of(2), metadata.arrayLength("tokens"));
		assertEquals("18446744073709551615", metadata.get("big").display());
		assertEquals(List.of("s", "u8", "i16"), metadata.keys().stream().limit(3).toList());
	}

	@Test
	void absentKeysAreEmptyOrMissingKeyErrors() {
		assertFalse(metadata.contains("nope"));
		assertEquals(Optional.empty(), metadata.string("nope"));
		assertEquals(OptionalLong.empty(), metadata.integer("nope"));
		assertEquals(Optional.empty(), metadata.optStringArray("nope"));
		assertEquals(Optional.empty(), metadata.find("nope"));
		assertThrows(NoSuchElementException.class, () -> metadata.get("nope"));
		GgufFormatException e = assertThrows(GgufFormatException.class, () -> metadata.requireInteger("nope"));
		assertEquals(file.path() + ": missing metadata key 'nope'", e.getMessage());
		assertEquals(GgufFormatException.NO_OFFSET, e.offset());
		assertThrows(GgufFormatException.class, () -> metadata.stringArray("nope"));
	}

	@Test
	void wrongTypesNameKeyOffsetAndTypes() {
		GgufFormatException e = assertThrows(GgufFormatException.class, () -> metadata.requireString("u8"));
		assertTrue(e.getMessage().endsWith("metadata key 'u8' is uint8, expected string"), e.getMessage());
		assertEquals(metadata.offset("u8").getAsLong(), e.offset());
		assertThrows(GgufFormatException.class, () -> metadata.requireReal("s"));
		assertThrows(GgufFormatException.class, () -> metadata.floatArray("tokens"));
		assertThrows(GgufFormatException.class, () -> metadata.intArray("scores"));
		IllegalStateException optional = assertThrows(IllegalStateException.class, () -> metadata.integer("s"));
		assertTrue(optional.getMessage().contains("metadata key 's' is string, expected an integer"));
		assertThrows(IllegalStateException.class, () -> metadata.optStringArray("types"));
	}

	@Test
	void valuesOutOfRangeAreErrors() {
		GgufFormatException big = assertThrows(GgufFormatException.class, () -> metadata.requireInteger("big"));
		assertTrue(big.getMessage().contains("= 18446744073709551615 exceeds 9223372036854775807"));
		GgufFormatException u32 = assertThrows(GgufFormatException.class, () -> metadata.intArray("u32s"));
		assertTrue(u32.getMessage().contains("element 0 of metadata key 'u32s' = 4294967295 does not fit an int"));
	}

	@Test
	void displayAbbreviatesLongArraysAndStrings() {
		GgufValue many = GgufValue.int32s(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
		assertEquals("[1, 2, 3, ... (10 elements)]", many.display(3, 100));
		assertEquals("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", many.display());
		assertEquals("\"ab\\n\\\"c\\u0001\"", GgufValue.string("ab\n\"c\u0001").display());
		assertEquals("\"abc\"... (10 chars)", GgufValue.string("abcdefghij").display(8, 3));
		assertEquals("array<array<int32>>", GgufValue.array(GgufValueType.ARRAY, List.of(many)).typeName());
		assertEquals("0.25", GgufValue.float32(0.25f).display());
	}

}
