package dev.llcuda.nativelib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.engine.KvType;
import dev.llcuda.engine.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CPU backend's logits of every position of the reference prompts, against the
 * float64 reference computed from the dequantized weights of each micro model.
 */
class ReferenceLogitsTests {

	/**
	 * A test model, the prompts it has references for and the relative L2 error it must
	 * stay under.
	 */
	private record Case(String model, int prompts, double tolerance) {
	}

	private static final List<Case> CASES = List.of(new Case("micro-llama-f32", 3, 5e-4),
			new Case("micro-llama-f16", 3, 1e-3), new Case("micro-llama-BF16", 3, 6e-3),
			new Case("micro-llama-Q8_0", 3, 2e-2), new Case("micro-llama-Q4_0", 3, 2e-2),
			new Case("micro-llama-Q4_K_M", 3, 3e-2), new Case("micro-llama-Q5_K_M", 3, 3e-2),
			new Case("micro-llama-Q6_K", 3, 3e-2), new Case("micro-qwen2-f32", 3, 5e-4),
			new Case("micro-qwen2-Q8_0", 3, 2e-2), new Case("micro-qwen2-Q4_K_M", 3, 3e-2),
			new Case("llama-2-tiny-random", 2, 1e-3));

	static List<Arguments> references() {
		List<Arguments> arguments = new ArrayList<>();
		for (Case c : CASES) {
			for (int p = 1; p <= c.prompts(); p++) {
				arguments.add(Arguments.of(c.model(), "p" + p, c.tolerance()));
			}
		}
		return arguments;
	}

	@ParameterizedTest(name = "{0} {1} within {2}")
	@MethodSource("references")
	void logitsOfEveryPositionMatchTheExactReference(String model, String prompt, double tolerance) {
		ReferenceLogits reference = ReferenceLogits.read(TestModels.reference(model, prompt, "exact"));
		float[][] logits;
		try (Model loaded = TestModels.load(model + ".gguf")) {
			logits = Steps.logits(loaded, reference.tokens(), reference.tokens().length);
		}
		double error = ReferenceLogits.relativeError(logits, reference.rows());
		assertTrue(error <= tolerance, model + " " + prompt + ": relative L2 error " + error + " > " + tolerance);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("models")
	void greedySamplingPicksTheLargestLogitAndReportsItsLogProbability(String model) {
		int[] tokens = ReferenceLogits.read(TestModels.reference(model, "p1", "exact")).tokens();
		try (Model loaded = TestModels.load(model + ".gguf");
				KvCache cache = loaded.createKvCache(Steps.blocksFor(tokens.length), Steps.BLOCK_SIZE,
						KvType.F16.abiValue())) {
			Batch batch = new Batch(Steps.blocksFor(tokens.length));
			batch.addSequence(tokens, 0, tokens.length, 0, Steps.contiguousTable(Steps.blocksFor(tokens.length)),
					Steps.blocksFor(tokens.length));
			batch.sample(0, SamplingParams.GREEDY);
			batch.logits(0, false);
			StepOutput output = new StepOutput();
			loaded.step(cache, batch, output);

			float[] last = output.logitsRow(0);
			int argmax = 0;
			double sum = 0;
			for (int i = 0; i < last.length; i++) {
				argmax = last[i] > last[argmax] ? i : argmax;
			}
			for (float logit : last) {
				sum += Math.exp(logit - last[argmax]);
			}
			assertArrayEquals(new int[] { argmax }, new int[] { output.sampled(0) });
			double logprob = -Math.log(sum);
			assertTrue(Math.abs(output.logprob(0) - logprob) < 1e-4, output.logprob(0) + " vs " + logprob);
		}
	}

	static List<String> models() {
		return List.of("micro-llama-f32", "micro-qwen2-Q8_0");
	}

}
