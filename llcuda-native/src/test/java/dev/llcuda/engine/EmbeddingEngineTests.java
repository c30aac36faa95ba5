package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Embeddings of the synthetic bert model on the native CPU backend: batching, limits,
 * refusals.
 */
class EmbeddingEngineTests {

	private static final List<String> TEXTS = List.of("the quick brown fox",
			"a much longer sentence about embedding models " + "and retrieval augmented generation on one gpu", "hello",
			"the quick brown fox");

	@TempDir
	static Path dir;

	private static Backend backend;

	private static Path model;

	@BeforeAll
	static void setUp() throws Exception {
		backend = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties()).cpuBackend(1);
		model = SyntheticBert.write(dir, "F16");
	}

	@AfterAll
	static void freeBackend() {
		backend.close();
	}

	private static EmbeddingEngine open(int maxBatchTokens, EmbeddingEngine.Overflow overflow) throws Exception {
		return EmbeddingEngine.open(backend, model, new EmbeddingEngine.Options(maxBatchTokens, overflow));
	}

	@Test
	void textsBecomeUnitVectorsInOrderWithTheirTokenCount() throws Exception {
		try (EmbeddingEngine engine = open(8192, EmbeddingEngine.Overflow.REFUSE)) {
			EmbeddingEngine.Result result = engine.embed(TEXTS);
			assertEquals(256, engine.dimensions());
			assertEquals(TEXTS.size(), result.vectors().size());
			int tokens = TEXTS.stream().mapToInt(t -> engine.tokenizer().encode(t, true, false).length).sum();
			assertEquals(tokens, result.tokens());
			for (float[] v : result.vectors()) {
				assertEquals(256, v.length);
				double norm = 0;
				for (float x : v) {
					norm += x * x;
				}
				assertEquals(1.0, Math.sqrt(norm), 1e-5);
			}
			assertArrayEquals(result.vectors().get(0), result.vectors().get(3));
			assertFalse(Arrays.equals(result.vectors().get(0), result.vectors().get(2)));
		}
	}

	@Test
	void aSmallTokenBudgetSplitsTheCallsWithoutChangingTheVectors() throws Exception {
		List<float[]> together;
		try (EmbeddingEngine engine = open(8192, EmbeddingEngine.Overflow.REFUSE)) {
			together = engine.embed(TEXTS).vectors();
		}
		try (EmbeddingEngine engine = open(1, EmbeddingEngine.Overflow.REFUSE)) {
			List<float[]> split = engine.embed(TEXTS).vectors();
			for (int i = 0; i < TEXTS.size(); i++) {
				for (int d = 0; d < 256; d++) {
					assertEquals(together.get(i)[d], split.get(i)[d], 1e-6, "text " + i + " dimension " + d);
				}
			}
		}
	}

	@Test
	void aTextOverTheContextIsRefusedOrTruncatedAsConfigured() throws Exception {
		String longText = "word ".repeat(300);
		try (EmbeddingEngine engine = open(8192, EmbeddingEngine.Overflow.REFUSE)) {
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
					() -> engine.embed(List.of("short", longText)));
			assertTrue(e.getMessage().contains("text 1 has 302 tokens, more than the model's context of 128"),
					e.getMessage());
		}
		try (EmbeddingEngine engine = open(8192, EmbeddingEngine.Overflow.TRUNCATE)) {
			EmbeddingEngine.Result result = engine.embed(List.of(longText, "word ".repeat(200)));
			assertEquals(256, result.tokens());
			assertArrayEquals(result.vectors().get(0), result.vectors().get(1));
		}
	}

	@Test
	void nomicBertEmbedsThroughTheSameEngine() throws Exception {
		Path nomic = SyntheticBert.write(dir, "nomic-micro", "F16");
		try (EmbeddingEngine engine = EmbeddingEngine.open(backend, nomic, EmbeddingEngine.Options.defaults())) {
			assertEquals("nomic-bert", engine.spec().architecture().ggufName());
			assertEquals(1000.0f, engine.spec().ropeTheta());
			List<float[]> vectors = engine.embed(TEXTS).vectors();
			assertArrayEquals(vectors.get(0), vectors.get(3));
			assertFalse(Arrays.equals(vectors.get(0), vectors.get(1)));
			assertEquals(256, vectors.get(1).length);
		}
	}

	@Test
	void decodersAndEncodersAreOpenedOnlyByTheirOwnEngine() {
		Path llama = SyntheticBert.TESTDATA.resolve("models").resolve("micro-llama-Q8_0.gguf");
		IllegalArgumentException notEncoder = assertThrows(IllegalArgumentException.class,
				() -> EmbeddingEngine.open(backend, llama, EmbeddingEngine.Options.defaults()));
		assertTrue(notEncoder.getMessage().contains("has no embeddings"), notEncoder.getMessage());
		IllegalArgumentException notDecoder = assertThrows(IllegalArgumentException.class,
				() -> ModelEngine.open(backend, model, ModelEngine.Options.defaults()));
		assertTrue(notDecoder.getMessage().contains("is an embedding model"), notDecoder.getMessage());
	}

}
