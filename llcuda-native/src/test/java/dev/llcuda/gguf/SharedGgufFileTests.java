package dev.llcuda.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every GGUF file of the shared test data reads, with the layout llama.cpp's writer gives
 * it.
 */
class SharedGgufFileTests {

	static Stream<Path> allFiles() {
		return Stream.concat(SharedGgufFiles.models().stream(), SharedGgufFiles.vocabularies().stream());
	}

	@ParameterizedTest
	@MethodSource("allFiles")
	void readsWithTensorsPackedInOrderAfterTheAlignedHeader(Path path) throws IOException {
		try (GgufFile gguf = GgufFile.open(path)) {
			assertEquals(3, gguf.version());
			assertEquals(32, gguf.alignment());
			assertEquals(0, gguf.dataOffset() % 32);
			long expectedOffset = gguf.dataOffset();
			for (TensorInfo t : gguf.tensors()) {
				assertEquals(expectedOffset, t.offset(), t.name());
				assertEquals(t.type().byteSize(t.elementCount()), t.byteSize(), t.name());
				expectedOffset = (t.offset() + t.byteSize() + 31) & -32L;
			}
			assertTrue(gguf.tensors().isEmpty() || expectedOffset >= gguf.fileSize() - 31);
			assertTrue(gguf.metadata().string("general.architecture").isPresent());
			assertTrue(gguf.metadata().stringArray("tokenizer.ggml.tokens").length > 0);
		}
	}

	@ParameterizedTest
	@MethodSource("dev.llcuda.gguf.SharedGgufFiles#models")
	void tensorDataIsTheFileBytesAtTheTensorOffset(Path path) throws IOException {
		try (GgufFile gguf = GgufFile.open(path); FileChannel channel = FileChannel.open(path)) {
			for (TensorInfo t : gguf.tensors()) {
				ByteBuffer mapped = gguf.tensorData(t);
				assertEquals(t.byteSize(), mapped.remaining(), t.name());
				assertTrue(mapped.isReadOnly());
				ByteBuffer read = ByteBuffer.allocate((int) t.byteSize());
				channel.read(read, t.offset());
				assertEquals(read.flip(), mapped, t.name());
			}
		}
	}

	@Test
	void microLlamaTensorTable() throws IOException {
		try (GgufFile gguf = GgufFile.open(SharedGgufFiles.model("micro-llama-f32.gguf"))) {
			assertEquals(21, gguf.tensors().size());
			TensorInfo embedding = gguf.tensor("token_embd.weight").orElseThrow();
			assertEquals(GgmlType.F32, embedding.type());
			assertArrayEquals(new long[] { 256, 512 }, embedding.dims());
			assertEquals(256 * 512 * 4, embedding.byteSize());
			assertArrayEquals(new long[] { 256, 128 }, gguf.tensor("blk.1.attn_k.weight").orElseThrow().dims());
			assertArrayEquals(new long[] { 512, 256 }, gguf.tensor("blk.0.ffn_down.weight").orElseThrow().dims());
			assertEquals(512, gguf.metadata().stringArray("tokenizer.ggml.tokens").length);
		}
	}

	@Test
	void kQuantFilesMixTypesPerTensor() throws IOException {
		try (GgufFile gguf = GgufFile.open(SharedGgufFiles.model("micro-llama-Q4_K_M.gguf"))) {
			Set<GgmlType> types = gguf.tensors().stream().map(TensorInfo::type).collect(Collectors.toSet());
			assertEquals(Set.of(GgmlType.F32, GgmlType.Q4_K, GgmlType.Q6_K), types);
			assertEquals(15, gguf.metadata().requireInteger("general.file_type"));
		}
	}

	@Test
	void quantizedFilesKeepTheSameF32Norms() throws IOException {
		for (String name : List.of("micro-llama-f16.gguf", "micro-llama-Q8_0.gguf", "micro-llama-Q4_K_M.gguf")) {
			try (GgufFile f32 = GgufFile.open(SharedGgufFiles.model("micro-llama-f32.gguf"));
					GgufFile other = GgufFile.open(SharedGgufFiles.model(name))) {
				for (String norm : List.of("output_norm.weight", "blk.1.ffn_norm.weight")) {
					assertEquals(f32.tensorData(f32.tensor(norm).orElseThrow()),
							other.tensorData(other.tensor(norm).orElseThrow()), name + " " + norm);
				}
			}
		}
	}

	@Test
	void vocabularySizes() throws IOException {
		Map<Path, Integer> expected = Map.of(SharedGgufFiles.vocab("llama-bpe"), 128256,
				SharedGgufFiles.model("llama-2-tiny-random.gguf"), 32000,
				SharedGgufFiles.model("micro-qwen2-Q8_0.gguf"), 512);
		for (var entry : expected.entrySet()) {
			try (GgufFile gguf = GgufFile.open(entry.getKey())) {
				assertEquals(entry.getValue(), gguf.metadata().stringArray("tokenizer.ggml.tokens").length);
				assertEquals((long) entry.getValue(), gguf.metadata().arrayLength("tokenizer.ggml.tokens").getAsLong());
			}
		}
	}

	@Test
	void bpeMergesAndChatTemplateRead() throws IOException {
		try (GgufFile gguf = GgufFile.open(SharedGgufFiles.vocab("llama-bpe"))) {
			GgufMetadata metadata = gguf.metadata();
			assertEquals("gpt2", metadata.requireString("tokenizer.ggml.model"));
			assertEquals("llama-bpe", metadata.requireString("tokenizer.ggml.pre"));
			assertEquals("Ġ Ġ", metadata.stringArray("tokenizer.ggml.merges")[0]);
			assertEquals(128000, metadata.requireInteger("tokenizer.ggml.bos_token_id"));
			assertTrue(metadata.requireString("tokenizer.chat_template").contains("<|start_header_id|>"));
		}
	}

}
