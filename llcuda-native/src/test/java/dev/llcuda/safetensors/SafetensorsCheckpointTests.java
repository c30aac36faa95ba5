package dev.llcuda.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsCheckpointTests {

	@TempDir
	Path dir;

	@Test
	void shardsJoinThroughTheIndexAndEachTensorIsReadFromItsShard() throws IOException {
		new SafetensorsWriter().add("a", "U8", new long[] { 2 }, new byte[] { 1, 2 })
			.write(dir.resolve("m-1.safetensors"));
		new SafetensorsWriter().metadata("format", "pt")
			.add("b", "I8", new long[] { 1 }, new byte[] { 3 })
			.write(dir.resolve("m-2.safetensors"));
		index("{\"metadata\":{\"total_size\":3},\"weight_map\":{\"a\":\"m-1.safetensors\",\"b\":\"m-2.safetensors\"}}");
		try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
			assertEquals(List.of("a", "b"), checkpoint.tensors().stream().map(SafetensorsTensor::name).toList());
			SafetensorsTensor b = checkpoint.tensor("b").orElseThrow();
			assertEquals(dir.resolve("m-2.safetensors"), b.file());
			assertEquals(3, checkpoint.bytes(b).get(0));
			assertEquals("pt", checkpoint.metadata(b).get("format"));
			byte[] a = new byte[2];
			checkpoint.bytes(checkpoint.tensor("a").orElseThrow()).get(a);
			assertArrayEquals(new byte[] { 1, 2 }, a);
		}
	}

	@Test
	void aDirectoryWithoutIndexUsesItsOnlySafetensorsFile() throws IOException {
		new SafetensorsWriter().add("a", "U8", new long[] { 1 }, new byte[] { 9 })
			.write(dir.resolve("adapter.safetensors"));
		try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
			assertEquals(9, checkpoint.bytes(checkpoint.tensor("a").orElseThrow()).get(0));
		}
		new SafetensorsWriter().add("b", "U8", new long[] { 1 }, new byte[] { 9 })
			.write(dir.resolve("other.safetensors"));
		assertMessage("2 *.safetensors files and no model.safetensors.index.json");
	}

	@Test
	void anIndexThatDisagreesWithItsShardsIsRefusedNamingTheTensor() throws IOException {
		new SafetensorsWriter().add("a", "U8", new long[] { 1 }, new byte[] { 1 })
			.add("c", "U8", new long[] { 1 }, new byte[] { 1 })
			.write(dir.resolve("m-1.safetensors"));
		new SafetensorsWriter().add("b", "U8", new long[] { 1 }, new byte[] { 1 })
			.write(dir.resolve("m-2.safetensors"));
		index("{\"weight_map\":{\"a\":\"m-1.safetensors\",\"b\":\"m-2.safetensors\"}}");
		assertMessage("m-1.safetensors: tensor 'c': model.safetensors.index.json places it nowhere");
		index("{\"weight_map\":{\"a\":\"m-1.safetensors\",\"c\":\"m-1.safetensors\",\"b\":\"m-2.safetensors\",\"d\":\"m-2.safetensors\"}}");
		assertMessage("m-2.safetensors: tensor 'd': listed in model.safetensors.index.json but not in the file");
		index("{\"weight_map\":{\"a\":\"../m-1.safetensors\"}}");
		assertMessage("tensor 'a': weight_map entry ../m-1.safetensors is not a file name inside the directory");
		index("{\"weight_map\":{\"a\":\"m-3.safetensors\"}}");
		assertThrows(IOException.class, () -> SafetensorsCheckpoint.open(dir));
		index("{\"weights\":{}}");
		assertMessage("no 'weight_map' object");
	}

	@Test
	void aTensorInTwoShardsIsRefused() throws IOException {
		new SafetensorsWriter().add("a", "U8", new long[] { 1 }, new byte[] { 1 })
			.write(dir.resolve("m-1.safetensors"));
		new SafetensorsWriter().add("a", "U8", new long[] { 1 }, new byte[] { 1 })
			.write(dir.resolve("m-2.safetensors"));
		index("{\"weight_map\":{\"a\":\"m-1.safetensors\",\"x\":\"m-2.safetensors\"}}");
		assertMessage("tensor 'a': also in");
	}

	private void index(String json) throws IOException {
		Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX_FILE), json);
	}

	private void assertMessage(String expected) {
		IOException e = assertThrows(IOException.class, () -> SafetensorsCheckpoint.open(dir));
		assertTrue(e.getMessage().contains(expected), e.getMessage() + " lacks: " + expected);
	}

}
