package dev.llcuda.nativelib;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.hf.BnbFixtures;
import dev.llcuda.hf.CheckpointConverter;
import dev.llcuda.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A bitsandbytes NF4 checkpoint of a micro model, converted keeping NF4 and run, gives
 * the logits of its dequantized weights (bitsandbytes' float32 values, written by the
 * test as a plain F32 checkpoint and converted through the unquantized path, which the
 * F32 conversion tests show runs exactly) within the bound llcuda-test-cpu holds NF4
 * models to against the float64 forward pass: NF4 products take float activations, so
 * only summation order differs.
 */
class BnbCheckpointLogitsTests {

	/** llcuda-test-cpu's test_quant_mixes bound for NF4 (and F16) against float64. */
	private static final double NF4_BOUND = 1e-3;

	@TempDir
	Path dir;

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "micro-llama-f32", "micro-qwen2-f32" })
	void anNf4CheckpointRunsItsDequantizedWeights(String model) throws IOException {
		BnbFixtures fixtures = new BnbFixtures(TestModels.library());
		Path gguf = TestModels.model(model + ".gguf");
		BnbFixtures.Checkpoint bnb = fixtures.write(gguf, dir.resolve(model), true);
		CheckpointConverter converter = new CheckpointConverter(TestModels.library());
		Path nf4 = dir.resolve("nf4.gguf");
		Path exact = dir.resolve("exact.gguf");
		converter.convert(bnb.dir(), nf4, Optional.empty());
		converter.convert(fixtures.writeDequantized(gguf, bnb, dir.resolve("dequantized")), exact, Optional.empty());
		for (String prompt : new String[] { "p1", "p2" }) {
			int[] tokens = ReferenceLogits.read(TestModels.reference(model, prompt, "exact")).tokens();
			double error = ReferenceLogits.relativeError(logits(nf4, tokens), logits(exact, tokens));
			assertTrue(error <= NF4_BOUND, model + " " + prompt + ": relative L2 error " + error + " > " + NF4_BOUND);
			System.out.printf("%s %s NF4 checkpoint vs its dequantized weights: rel L2 %.3g%n", model, prompt, error);
		}
	}

	private static float[][] logits(Path gguf, int[] tokens) throws IOException {
		ModelSpec spec;
		try (GgufFile file = GgufFile.open(gguf)) {
			spec = ModelSpec.from(file);
		}
		try (Model model = TestModels.cpu().loadModel(gguf, spec)) {
			return Steps.logits(model, tokens, tokens.length);
		}
	}

}
