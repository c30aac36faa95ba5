package dev.llcuda.nativelib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.hf.CheckpointConverter;
import dev.llcuda.hf.HfFixtures;
import dev.llcuda.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Micro models written as Hugging Face directories (HF names, HF's q/k layout,
 * safetensors in the stored dtype), converted back and run: F32 gives the original file's
 * logits exactly; stored half precision lands within its type's bound of the float64
 * reference; a requested quantization lands as close to the original F32 model's float64
 * reference as llama.cpp's own quantized file of the same weights (llama-quantize's Q8_0,
 * Q4_K_M mix, Q6_K), within 10%.
 */
class ConvertedCheckpointLogitsTests {

	@TempDir
	Path dir;

	@ParameterizedTest(name = "{0} stored {1}, converted to {2}: within {3} or llama.cpp''s {4}")
	@CsvSource({ "micro-llama-f32, F32, , 0, ", "micro-qwen2-f32, F32, , 0, ", "micro-llama-f32, F16, , 1e-3, ",
			"micro-llama-f32, BF16, , 6e-3, ", "micro-llama-f32, F32, Q8_0, , micro-llama-Q8_0",
			"micro-llama-f32, BF16, Q4_K, , micro-llama-Q4_K_M", "micro-llama-f32, F32, Q6_K, , micro-llama-Q6_K",
			"micro-qwen2-f32, F16, Q8_0, , micro-qwen2-Q8_0", "micro-qwen2-f32, F32, Q4_K, , micro-qwen2-Q4_K_M" })
	void convertedCheckpointsGiveTheOriginalModelsLogits(String model, String stored, String type, Double tolerance,
			String llamaCppFile) throws IOException {
		Path hf = new HfFixtures(TestModels.library()).write(TestModels.model(model + ".gguf"), dir.resolve(model),
				GgmlType.valueOf(stored), 1);
		Path converted = dir.resolve(model + ".gguf");
		new CheckpointConverter(TestModels.library()).convert(hf, converted,
				Optional.ofNullable(type).map(CheckpointConverter::outputType));
		for (String prompt : new String[] { "p1", "p2" }) {
			ReferenceLogits reference = ReferenceLogits.read(TestModels.reference(model, prompt, "exact"));
			float[][] logits = logits(converted, reference.tokens());
			if (tolerance != null && tolerance == 0) {
				float[][] expected = logits(TestModels.model(model + ".gguf"), reference.tokens());
				for (int i = 0; i < expected.length; i++) {
					assertArrayEquals(expected[i], logits[i], model + " " + prompt + " position " + i);
				}
				continue;
			}
			double bound = tolerance != null ? tolerance : 1.1 * ReferenceLogits
				.relativeError(logits(TestModels.model(llamaCppFile + ".gguf"), reference.tokens()), reference.rows());
			double error = ReferenceLogits.relativeError(logits, reference.rows());
			assertTrue(error <= bound, model + " " + prompt + ": relative L2 error " + error + " > " + bound);
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
