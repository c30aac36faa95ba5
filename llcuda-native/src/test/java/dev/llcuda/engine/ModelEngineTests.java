package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The model assembler over the native CPU backend: KV sizing, template choice, memory
 * estimate.
 */
class ModelEngineTests {

	private static final Path MODEL = Path.of(System.getProperty("llcuda.testdata", "../shared/testdata"), "models",
			"micro-llama-Q8_0.gguf");

	private static Backend backend;

	@BeforeAll
	static void loadLibrary() {
		backend = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties()).cpuBackend(1);
	}

	@AfterAll
	static void freeBackend() {
		backend.close();
	}

	private static ModelEngine.Options twoSequences() {
		return ModelEngine.Options.defaults().withEngineConfig(config -> config.withLimits(2, 64, 4));
	}

	@Test
	void theKvCacheHoldsAtMostTheFullContextsOfTheRunningSequences() throws Exception {
		try (ModelEngine model = ModelEngine.open(backend, MODEL, twoSequences().withKvMemoryBytes(1L << 30))) {
			int context = model.spec().contextLength();
			assertEquals(2 * ((context + 15) / 16), model.kvBlocks());
			assertEquals(16, model.kvBlockSize());
			assertEquals("default-llama2", model.template().name());
			int[] prompt = model.tokenizer().encode("Hello", true, false);
			GenerationResult result = model.engine()
				.submit(GenerationRequest.greedy(prompt, 4))
				.result()
				.get(30, TimeUnit.SECONDS);
			assertTrue(result.error().isEmpty(), () -> result.error().orElseThrow().toString());
			assertEquals(4, result.generatedTokens());
		}
	}

	@Test
	void explicitBlocksAreTakenAsGiven() throws Exception {
		try (ModelEngine model = ModelEngine.open(backend, MODEL, twoSequences().withKvBlocks(5))) {
			assertEquals(5, model.kvBlocks());
			assertEquals(5 * 16, model.engine().contextLimit());
		}
	}

	@Test
	void aKvBudgetBelowOneBlockIsRefusedNamingTheProperty() {
		IllegalStateException refused = assertThrows(IllegalStateException.class,
				() -> ModelEngine.open(backend, MODEL, twoSequences().withKvMemoryBytes(1)));
		assertTrue(refused.getMessage().contains("no room for a KV cache"), refused.getMessage());
		assertTrue(refused.getMessage().contains("llcuda.engine.kv-memory"), refused.getMessage());
	}

	@Test
	void theMemoryNeededIsTheWeightsPlusTheKvCache() throws Exception {
		ModelSpec spec;
		try (GgufFile file = GgufFile.open(MODEL)) {
			spec = ModelSpec.from(file);
		}
		long weights;
		try (ModelEngine model = ModelEngine.open(backend, MODEL, twoSequences().withKvBlocks(1))) {
			weights = model.weightBytes();
		}
		long f16Block = 2L * spec.layers() * 16 * spec.keyValueDimensions() * 2;
		assertEquals(weights + 7 * f16Block, ModelEngine.memoryNeeded(MODEL, twoSequences().withKvBlocks(7)));
		assertEquals(weights + (64L << 20),
				ModelEngine.memoryNeeded(MODEL, twoSequences().withKvMemoryBytes(64L << 20)));
	}

}
