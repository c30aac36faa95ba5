package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llcuda.cli.Main;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Greedy decoding of each family's micro model ({@code llcuda-synth}, random F32 weights,
 * the same file llama.cpp was compared on in docs/models.md) through
 * {@code bin/llcuda generate} and through the engine the ChatModel serves from gives the
 * same 64 tokens. (llcuda-test-cpu checks the backend's greedy chain against the float64
 * reference's argmax chain on each family.) With 16 KV blocks, the windowed shapes
 * (micro-llama-swa, micro-phi3-swa) also run with their out-of-window blocks going back
 * to the pool.
 */
class FamilyGreedyTests {

	/**
	 * BOS and 15 ids of the Llama 2 vocabulary: 80 positions pass the micro window of 16
	 * several times.
	 */
	private static final int[] PROMPT = { 1, 3503, 20184, 23025, 24749, 21369, 17275, 30816, 8094, 8886, 24091, 8384,
			9539, 24056, 2382, 21579 };

	private static final int TOKENS = 64;

	private static Backend backend;

	@BeforeAll
	static void loadLibrary() {
		backend = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties()).cpuBackend(2);
	}

	@AfterAll
	static void freeBackend() {
		backend.close();
	}

	@ParameterizedTest
	@ValueSource(strings = { "micro-qwen3", "micro-gemma2", "micro-gemma3", "micro-llama-swa", "micro-phi3",
			"micro-phi3-swa", "micro-mixtral", "micro-qwen3moe", "micro-llama3" })
	void generateAndTheEngineChooseTheSameTokens(String shape, @TempDir Path dir) throws Exception {
		String vocab = shape.startsWith("micro-phi3") ? "ggml-vocab-phi-3.gguf" : "ggml-vocab-llama-spm.gguf";
		Path model = SyntheticBert.write(dir, shape, "F32", vocab);

		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int code = Main.run(
				new String[] { "generate", "--model", model.toString(), "--tokens",
						Arrays.stream(PROMPT).mapToObj(Integer::toString).collect(Collectors.joining(" ")), "--output",
						"ids", "-n", Integer.toString(TOKENS), "--temp", "0" },
				new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
		assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
		List<Integer> generated = Arrays.stream(out.toString(StandardCharsets.UTF_8).strip().split(" "))
			.map(Integer::valueOf)
			.toList();

		List<Integer> served;
		try (ModelEngine engine = ModelEngine.open(backend, model, ModelEngine.Options.defaults().withKvBlocks(16))) {
			GenerationResult result = engine.engine()
				.submit(GenerationRequest.greedy(PROMPT, TOKENS).withLogprobs(0))
				.result()
				.get(120, TimeUnit.SECONDS);
			served = result.logprobs().stream().map(TokenLogprobs::token).toList();
		}
		assertEquals(generated, served);
		assertEquals(TOKENS, served.size(), "no end of generation came first: " + served);
	}

}
