package dev.llcuda.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GgmlTypeTests {

	@Test
	void blockLayoutsMatchGgml() throws GgufFormatException {
		// id, elements per block, bytes per block, as ggml defines them
		int[][] expected = { { 0, 1, 4 }, { 1, 1, 2 }, { 30, 1, 2 }, { 2, 32, 18 }, { 3, 32, 20 }, { 6, 32, 22 },
				{ 7, 32, 24 }, { 8, 32, 34 }, { 10, 256, 84 }, { 11, 256, 110 }, { 12, 256, 144 }, { 13, 256, 176 },
				{ 14, 256, 210 }, { 15, 256, 292 }, { 20, 32, 18 }, { 23, 256, 136 } };
		for (int[] row : expected) {
			GgmlType type = GgmlType.byId(row[0]);
			assertEquals(row[1], type.blockSize(), type + " block size");
			assertEquals(row[2], type.blockBytes(), type + " block bytes");
		}
	}

	@Test
	void nf4IsLlcudasOwnTypeInBlocksOf64WithAFloatScale() throws GgufFormatException {
		assertEquals(GgmlType.NF4, GgmlType.byId(100));
		assertEquals(64, GgmlType.NF4.blockSize());
		assertEquals(4 + 32, GgmlType.NF4.blockBytes());
		assertEquals(4096L / 64 * 36, GgmlType.NF4.byteSize(4096));
	}

	@Test
	void idsAreUniqueAndRoundTrip() throws GgufFormatException {
		for (GgmlType type : GgmlType.values()) {
			assertEquals(type, GgmlType.byId(type.id()));
		}
		assertEquals(GgmlType.values().length,
				Arrays.stream(GgmlType.values()).mapToInt(GgmlType::id).distinct().count());
	}

	@Test
	void unknownAndRetiredIdsAreFormatErrorsNamingTheId() {
		for (int id : new int[] { 4, 5, 31, 36, 40, 1000, -1 }) {
			GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgmlType.byId(id));
			assertTrue(e.getMessage().contains("unknown ggml tensor type id " + id), e.getMessage());
		}
	}

	@Test
	void engineSupportsExactlyTheTypesItHasKernelsFor() {
		Set<GgmlType> supported = Arrays.stream(GgmlType.values())
			.filter(GgmlType::supportedByEngine)
			.collect(Collectors.toSet());
		assertEquals(Set.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1,
				GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
				GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.NF4), supported);
	}

	@Test
	void byteSizeCountsWholeBlocks() {
		assertEquals(512 / 32 * 34, GgmlType.Q8_0.byteSize(512));
		assertEquals(256L * 512 / 256 * 144, GgmlType.Q4_K.byteSize(256L * 512));
		assertEquals(6L << 30, GgmlType.F16.byteSize(3L << 30));
		assertEquals(0, GgmlType.Q6_K.byteSize(0));
		assertThrows(IllegalArgumentException.class, () -> GgmlType.Q4_K.byteSize(100));
		assertThrows(ArithmeticException.class, () -> GgmlType.F32.byteSize(Long.MAX_VALUE / 2));
		assertFalse(GgmlType.Q4_0.fitsBlocks(-32));
	}

}
