package dev.llcuda.nativelib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.engine.KvType;
import dev.llcuda.engine.SamplingParams;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One step mixes sequences, pages and chunks; none of that may change a sequence's
 * logits.
 */
class StepBatchingTests {

	private static Model model;

	private static int[] p1;

	private static int[] p2;

	private static int[] p3;

	@BeforeAll
	static void loadModel() {
		model = TestModels.load("micro-llama-f32.gguf");
		p1 = ReferenceLogits.read(TestModels.reference("micro-llama-f32", "p1", "exact")).tokens();
		p2 = ReferenceLogits.read(TestModels.reference("micro-llama-f32", "p2", "exact")).tokens();
		p3 = ReferenceLogits.read(TestModels.reference("micro-llama-f32", "p3", "exact")).tokens();
	}

	@AfterAll
	static void closeModel() {
		model.close();
	}

	@Test
	void sequencesAtDifferentPositionsInOneStepGetTheLogitsTheyGetAlone() {
		// Sequence 0: p1 whole (a fresh prompt). Sequence 1: p2 after its first 10 tokens
		// were
		// cached in an earlier step (a prompt chunk). Sequence 2: one decode token of p3
		// at position 40.
		int cached1 = 10;
		int cached2 = 40;
		int[][] tables = { { 0, 1, 2 }, { 3, 4, 5 }, { 6, 7, 8 } };
		float[][] together = new float[3][];
		try (KvCache cache = model.createKvCache(9, Steps.BLOCK_SIZE, KvType.F16.abiValue())) {
			Batch batch = new Batch(3);
			StepOutput output = new StepOutput();
			batch.addSequence(p2, 0, cached1, 0, tables[1], 3);
			batch.addSequence(p3, 0, cached2, 0, tables[2], 3);
			model.step(cache, batch, output);

			batch.clear();
			batch.addSequence(p1, 0, p1.length, 0, tables[0], 3);
			batch.addSequence(p2, cached1, p2.length - cached1, cached1, tables[1], 3);
			batch.addSequence(p3, cached2, 1, cached2, tables[2], 3);
			for (int seq = 0; seq < 3; seq++) {
				batch.logits(seq, true);
			}
			model.step(cache, batch, output);
			int[] rows = { p1.length, p2.length - cached1, 1 };
			int row = 0;
			for (int seq = 0; seq < 3; seq++) {
				float[][] mine = new float[rows[seq]][];
				for (int i = 0; i < rows[seq]; i++) {
					mine[i] = output.logitsRow(row++);
				}
				together[seq] = flatten(mine);
			}
		}

		float[][] alone = { alone(p1, 0, p1.length), alone(p2, cached1, p2.length - cached1), alone(p3, cached2, 1) };
		for (int seq = 0; seq < 3; seq++) {
			double error = ReferenceLogits.relativeError(new float[][] { together[seq] }, new float[][] { alone[seq] });
			assertTrue(error < 1e-5, "sequence " + seq + ": relative error " + error);
		}
	}

	@Test
	void aScrambledBlockTableGivesTheLogitsOfAContiguousOne() {
		int blocks = Steps.blocksFor(p3.length);
		int[] scrambled = new int[blocks];
		for (int i = 0; i < blocks; i++) {
			scrambled[i] = (i * 7 + 5) % (3 * blocks); // spread over a cache three times
														// as large
		}
		assertTrue(Arrays.stream(scrambled).distinct().count() == blocks, Arrays.toString(scrambled));

		float[][] contiguous;
		float[][] paged;
		try (KvCache cache = model.createKvCache(blocks, Steps.BLOCK_SIZE, KvType.F16.abiValue())) {
			contiguous = Steps.logits(model, cache, p3, 20, Steps.contiguousTable(blocks));
		}
		try (KvCache cache = model.createKvCache(3 * blocks, Steps.BLOCK_SIZE, KvType.F16.abiValue())) {
			paged = Steps.logits(model, cache, p3, 20, scrambled);
		}

		assertArrayEquals(flatten(contiguous), flatten(paged));
	}

	@ParameterizedTest(name = "chunks of {0}")
	@ValueSource(ints = { 1, 7, 64 })
	void aPromptFedInChunksGetsTheLogitsOfOneStep(int chunk) {
		float[][] oneStep = Steps.logits(model, p3, p3.length);
		float[][] chunked = Steps.logits(model, p3, chunk);

		double error = ReferenceLogits.relativeError(chunked, oneStep);
		assertTrue(error < 1e-5, "chunks of " + chunk + ": relative error " + error);
	}

	@Test
	void theSameSeedSamplesTheSameTokensAndAnotherSeedOthers() {
		SamplingParams params = SamplingParams.random(1.0f, 42).withTopK(100).withTopP(0.95f);
		int[] first = generate(params, 24);
		int[] again = generate(params, 24);
		int[] otherSeed = generate(SamplingParams.random(1.0f, 43).withTopK(100).withTopP(0.95f), 24);

		assertArrayEquals(first, again);
		assertFalse(Arrays.equals(first, otherSeed), Arrays.toString(first));
	}

	@Test
	void sequencesSampledTogetherDrawWhatTheyDrawAlone() {
		SamplingParams params = SamplingParams.random(1.0f, 7);
		int blocks = Steps.blocksFor(p1.length + 1);
		int[] together = new int[2];
		try (KvCache cache = model.createKvCache(2 * blocks, Steps.BLOCK_SIZE, KvType.F16.abiValue())) {
			Batch batch = new Batch(blocks);
			batch.addSequence(p1, 0, p1.length, 0, Steps.contiguousTable(blocks), blocks);
			batch.sample(0, params);
			batch.addSequence(p2, 0, p2.length, 0,
					Arrays.stream(Steps.contiguousTable(blocks)).map(b -> b + blocks).toArray(), blocks);
			batch.sample(1, SamplingParams.random(0.8f, 99));
			StepOutput output = new StepOutput();
			model.step(cache, batch, output);
			together[0] = output.sampled(0);
			together[1] = output.sampled(1);
		}

		assertArrayEquals(new int[] { together[0] }, new int[] { firstSample(p1, params) });
		assertArrayEquals(new int[] { together[1] }, new int[] { firstSample(p2, SamplingParams.random(0.8f, 99)) });
	}

	@Test
	void penaltiesApplyToTheHistoryOfTheirOwnSequence() {
		int blocks = Steps.blocksFor(p2.length);
		float[] last1 = Steps.logits(model, p1, p1.length)[p1.length - 1];
		float[] last2 = Steps.logits(model, p2, p2.length)[p2.length - 1];
		int[] ranked1 = ranked(last1);
		int[] ranked2 = ranked(last2);
		// Sequence 0 penalizes its two best tokens, sequence 1 only its best; histories
		// given out of order.
		SamplingParams presence = SamplingParams.GREEDY.withPenalties(1f, 0f, 1000f);
		int[] together = new int[2];
		try (KvCache cache = model.createKvCache(2 * blocks, Steps.BLOCK_SIZE, KvType.F16.abiValue())) {
			Batch batch = new Batch(blocks);
			batch.addSequence(p1, 0, p1.length, 0, Steps.contiguousTable(blocks), blocks);
			batch.addSequence(p2, 0, p2.length, 0,
					Arrays.stream(Steps.contiguousTable(blocks)).map(b -> b + blocks).toArray(), blocks);
			batch.sample(1, presence, new int[] { ranked2[0], 7 }, 1);
			batch.sample(0, presence, new int[] { ranked1[0], ranked1[1] }, 2);
			StepOutput output = new StepOutput();
			model.step(cache, batch, output);
			together[0] = output.sampled(0);
			together[1] = output.sampled(1);
		}

		assertArrayEquals(new int[] { ranked1[2], ranked2[1] }, together);
	}

	/** Token ids by descending logit. */
	private static int[] ranked(float[] logits) {
		return java.util.stream.IntStream.range(0, logits.length)
			.boxed()
			.sorted((a, b) -> Float.compare(logits[b], logits[a]))
			.mapToInt(Integer::intValue)
			.toArray();
	}

	private static int firstSample(int[] prompt, SamplingParams params) {
		int blocks = Steps.blocksFor(prompt.length);
		try (KvCache cache = model.createKvCache(blocks, Steps.BLOCK_SIZE, KvType.F16.abiValue())) {
			Batch batch = new Batch(blocks);
			batch.addSequence(prompt, 0, prompt.length, 0, Steps.contiguousTable(blocks), blocks);
			batch.sample(0, params);
			StepOutput output = new StepOutput();
			model.step(cache, batch, output);
			return output.sampled(0);
		}
	}

	/** {@code count} tokens sampled after p1, each fed back as the next decode step. */
	private static int[] generate(SamplingParams params, int count) {
		int blocks = Steps.blocksFor(p1.length + count);
		int[] table = Steps.contiguousTable(blocks);
		int[] sampled = new int[count];
		try (KvCache cache = model.createKvCache(blocks, Steps.BLOCK_SIZE, KvType.F16.abiValue())) {
			Batch batch = new Batch(blocks);
			StepOutput output = new StepOutput();
			batch.addSequence(p1, 0, p1.length, 0, table, blocks);
			batch.sample(0, params);
			model.step(cache, batch, output);
			sampled[0] = output.sampled(0);
			for (int i = 1; i < count; i++) {
				batch.clear();
				batch.addSequence(sampled, i - 1, 1, p1.length + i - 1, table, blocks);
				batch.sample(0, params);
				model.step(cache, batch, output);
				sampled[i] = output.sampled(0);
			}
		}
		return sampled;
	}

	/**
	 * The logits of {@code tokens[cached, cached + count)} run alone, after a step that
	 * cached the tokens before.
	 */
	private static float[] alone(int[] tokens, int cached, int count) {
		int blocks = Steps.blocksFor(cached + count);
		int[] table = Steps.contiguousTable(blocks);
		try (KvCache cache = model.createKvCache(blocks, Steps.BLOCK_SIZE, KvType.F16.abiValue())) {
			Batch batch = new Batch(blocks);
			StepOutput output = new StepOutput();
			if (cached > 0) {
				batch.addSequence(tokens, 0, cached, 0, table, blocks);
				model.step(cache, batch, output);
				batch.clear();
			}
			batch.addSequence(tokens, cached, count, cached, table, blocks);
			batch.logits(0, true);
			model.step(cache, batch, output);
			float[][] rows = new float[count][];
			for (int i = 0; i < count; i++) {
				rows[i] = output.logitsRow(i);
			}
			return flatten(rows);
		}
	}

	private static float[] flatten(float[][] rows) {
		int length = 0;
		for (float[] row : rows) {
			length += row.length;
		}
		float[] flat = new float[length];
		int at = 0;
		for (float[] row : rows) {
			System.arraycopy(row, 0, flat, at, row.length);
			at += row.length;
		}
		return flat;
	}

}
