package dev.llcuda.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.engine.KvType;
import dev.llcuda.engine.SamplingParams;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Wrong input gets a NativeException naming what is wrong, and the handles stay usable.
 */
class BadInputTests {

	private static final String MODEL = "micro-llama-f32";

	private static Model model;

	private static ReferenceLogits reference;

	@BeforeAll
	static void loadModel() {
		model = TestModels.load(MODEL + ".gguf");
		reference = ReferenceLogits.read(TestModels.reference(MODEL, "p1", "exact"));
	}

	@AfterAll
	static void closeModel() {
		model.close();
	}

	@Test
	void aSpecWhoseTensorLiesBeyondTheFileIsRefusedAndTheBackendStaysUsable() throws IOException {
		ModelSpec spec = TestModels.spec(MODEL + ".gguf");
		long fileSize = Files.size(TestModels.model(MODEL + ".gguf"));
		List<TensorInfo> tensors = new ArrayList<>(spec.tensors());
		TensorInfo norm = spec.tensor("output_norm.weight").orElseThrow();
		tensors.set(tensors.indexOf(norm),
				new TensorInfo(norm.name(), norm.type(), norm.dims(), fileSize - norm.byteSize() / 2, norm.byteSize()));
		ModelSpec beyond = new ModelSpec(spec.architecture(), spec.name(), spec.vocabSize(), spec.embeddingSize(),
				spec.layers(), spec.heads(), spec.kvHeads(), spec.headSize(), spec.feedForwardSize(),
				spec.contextLength(), spec.ropeType(), spec.ropeDimensions(), spec.ropeTheta(), spec.ropeFreqScale(),
				spec.normEpsilon(), spec.fileType(), spec.parameterCount(), tensors, spec.ropeScaling(), spec.family(),
				spec.pooling(), spec.experts());

		NativeException refused = assertThrows(NativeException.class,
				() -> TestModels.cpu().loadModel(TestModels.model(MODEL + ".gguf"), beyond));

		assertEquals(Status.INVALID_ARGUMENT, refused.status());
		assertTrue(refused.getMessage().contains("'output_norm.weight'"), refused.getMessage());
		assertTrue(refused.getMessage().contains("beyond the end"), refused.getMessage());
		assertTrue(refused.getMessage().contains("(" + fileSize + " bytes)"), refused.getMessage());
		try (Model usable = TestModels.load(MODEL + ".gguf")) {
			assertEquals(greedyAfterPrompt(), greedyAfterPrompt(usable));
		}
	}

	@Test
	void aQ8KvCacheIsRefusedOnTheCpuNamingWhereItRunsAndTheModelStaysUsable() {
		NativeException refused = assertThrows(NativeException.class,
				() -> model.createKvCache(3, Steps.BLOCK_SIZE, KvType.Q8_0.abiValue()));

		assertEquals(Status.UNSUPPORTED, refused.status());
		assertTrue(refused.getMessage().contains("Q8_0 K/V is a CUDA option"), refused.getMessage());
		assertEquals(greedyAfterPrompt(), greedyAfterPrompt(model));
	}

	@Test
	void aBlockTableEntryOutsideTheCacheIsRefusedAndTheCacheStaysUsable() {
		try (KvCache cache = model.createKvCache(3, Steps.BLOCK_SIZE, KvType.F16.abiValue())) {
			Batch batch = new Batch(3);
			batch.addSequence(reference.tokens(), 0, reference.tokens().length, 0, new int[] { 0, 3, 1 }, 3);

			NativeException refused = assertThrows(NativeException.class,
					() -> model.step(cache, batch, new StepOutput()));

			assertEquals(Status.INVALID_ARGUMENT, refused.status());
			assertTrue(refused.getMessage().contains("block_tables[1] = 3"), refused.getMessage());
			assertTrue(refused.getMessage().contains("outside the cache [0, 3)"), refused.getMessage());
			assertEquals(greedyAfterPrompt(), greedyAfterPrompt(model, cache));
		}
	}

	@Test
	void aPositionBeyondTheContextIsRefusedAndTheModelStaysUsable() {
		int context = model.contextLength();
		int blocks = Steps.blocksFor(context);
		try (KvCache cache = model.createKvCache(blocks, Steps.BLOCK_SIZE, KvType.F16.abiValue())) {
			Batch batch = new Batch(blocks);
			batch.addSequence(new int[] { 1 }, 0, 1, context, Steps.contiguousTable(blocks), blocks);

			NativeException refused = assertThrows(NativeException.class,
					() -> model.step(cache, batch, new StepOutput()));

			assertEquals(Status.INVALID_ARGUMENT, refused.status());
			assertTrue(
					refused.getMessage()
						.contains("positions[0] = " + context + " is outside the context [0, " + context + ")"),
					refused.getMessage());
			assertEquals(greedyAfterPrompt(), greedyAfterPrompt(model, cache));
		}
	}

	@Test
	void aTokenBeyondTheVocabularyIsRefusedAndTheModelStaysUsable() {
		int[] tokens = reference.tokens().clone();
		tokens[5] = model.vocabSize();
		int blocks = Steps.blocksFor(tokens.length);
		try (KvCache cache = model.createKvCache(blocks, Steps.BLOCK_SIZE, KvType.F16.abiValue())) {
			Batch batch = new Batch(blocks);
			batch.addSequence(tokens, 0, tokens.length, 0, Steps.contiguousTable(blocks), blocks);

			NativeException refused = assertThrows(NativeException.class,
					() -> model.step(cache, batch, new StepOutput()));

			assertEquals(Status.INVALID_ARGUMENT, refused.status());
			assertTrue(refused.getMessage().contains("tokens[5] = " + model.vocabSize() + " is outside the vocabulary"),
					refused.getMessage());
			assertEquals(greedyAfterPrompt(), greedyAfterPrompt(model, cache));
		}
	}

	@Test
	void allowedTokenMasksOfTheWrongSizeOrAllowingNothingAreRefusedAndAMaskIsHonoured() {
		int blocks = Steps.blocksFor(reference.tokens().length);
		int words = (model.vocabSize() + 31) / 32;
		try (KvCache cache = model.createKvCache(blocks, Steps.BLOCK_SIZE, KvType.F16.abiValue())) {
			for (int[] mask : new int[][] { new int[words - 1], new int[words] }) {
				Batch batch = new Batch(blocks);
				batch.addSequence(reference.tokens(), 0, reference.tokens().length, 0, Steps.contiguousTable(blocks),
						blocks);
				batch.sample(0, SamplingParams.GREEDY);
				batch.allowTokens(0, mask);

				NativeException refused = assertThrows(NativeException.class,
						() -> model.step(cache, batch, new StepOutput()));

				assertEquals(Status.INVALID_ARGUMENT, refused.status());
				assertTrue(
						refused.getMessage()
							.contains(
									mask.length != words ? "batch.allowed_words = " + (words - 1) + " must be " + words
											: "batch.allowed_tokens of sequence 0 allows no token"),
						refused.getMessage());
			}
			int argmax = greedyAfterPrompt(model, cache);
			int other = (argmax + 7) % model.vocabSize();
			int[] only = new int[words];
			only[other >>> 5] = 1 << (other & 31);
			Batch batch = new Batch(blocks);
			batch.addSequence(reference.tokens(), 0, reference.tokens().length, 0, Steps.contiguousTable(blocks),
					blocks);
			batch.sample(0, SamplingParams.GREEDY);
			batch.allowTokens(0, only);
			StepOutput output = new StepOutput();
			model.step(cache, batch, output);
			assertEquals(other, output.sampled(0));
			assertEquals(argmax, greedyAfterPrompt(model, cache));
		}
	}

	@Test
	void aClosedHandleIsRefusedInJavaBeforeAnyNativeCall() {
		Model closed = TestModels.load(MODEL + ".gguf");
		closed.close();
		closed.close();

		IllegalStateException refused = assertThrows(IllegalStateException.class, closed::weightBytes);
		assertEquals("this model is closed", refused.getMessage());
	}

	/** The largest logit after the whole prompt in the exact reference. */
	private static int greedyAfterPrompt() {
		float[] last = reference.rows()[reference.rows().length - 1];
		int argmax = 0;
		for (int i = 1; i < last.length; i++) {
			argmax = last[i] > last[argmax] ? i : argmax;
		}
		return argmax;
	}

	private static int greedyAfterPrompt(Model loaded) {
		int blocks = Steps.blocksFor(reference.tokens().length);
		try (KvCache cache = loaded.createKvCache(blocks, Steps.BLOCK_SIZE, KvType.F16.abiValue())) {
			return greedyAfterPrompt(loaded, cache);
		}
	}

	private static int greedyAfterPrompt(Model loaded, KvCache cache) {
		int blocks = Steps.blocksFor(reference.tokens().length);
		Batch batch = new Batch(blocks);
		batch.addSequence(reference.tokens(), 0, reference.tokens().length, 0, Steps.contiguousTable(blocks), blocks);
		batch.sample(0, SamplingParams.GREEDY);
		StepOutput output = new StepOutput();
		loaded.step(cache, batch, output);
		return output.sampled(0);
	}

}
