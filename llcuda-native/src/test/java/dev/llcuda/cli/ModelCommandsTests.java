package dev.llcuda.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.nativelib.ReferenceLogits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code llcuda logits} and {@code llcuda generate} on the micro models. */
class ModelCommandsTests extends CommandTestSupport {

	@Test
	void logitsOfGivenTokensAreWrittenInTheReferenceFormat() throws IOException {
		ReferenceLogits reference = ReferenceLogits.read(reference("micro-llama-f32", 1));
		Path out = folder.resolve("logits.txt");
		String tokens = Arrays.stream(reference.tokens()).mapToObj(Integer::toString).collect(Collectors.joining(" "));

		Result result = run("logits", "--model", MODELS.resolve("micro-llama-f32.gguf").toString(), "--tokens", tokens,
				"--out", out.toString());

		assertEquals(0, result.code(), result.err());
		List<String> lines = Files.readAllLines(out, StandardCharsets.US_ASCII);
		assertEquals(tokens, lines.get(0));
		assertEquals(reference.tokens().length + 1, lines.size());
		float[][] rows = lines.stream().skip(1).map(ModelCommandsTests::parseRow).toArray(float[][]::new);
		for (int r = 0; r < rows.length; r++) {
			for (int i = 0; i < rows[r].length; i++) {
				assertEquals(CFloatFormat.g(rows[r][i]), lines.get(r + 1).split(" ")[i]);
			}
		}
		double error = ReferenceLogits.relativeError(rows, reference.rows());
		assertTrue(error <= 5e-4, "relative L2 error " + error);
		assertTrue(result.err().contains(reference.tokens().length + " positions x 512 logits"), result.err());
	}

	@Test
	void logitsOfAPromptUseItsTokensWithBosAndGzipWhenAsked() throws IOException {
		Path out = folder.resolve("logits.txt.gz");
		ReferenceLogits reference = ReferenceLogits.read(reference("llama-2-tiny-random", 1));

		Result result = run("logits", "--model", MODELS.resolve("llama-2-tiny-random.gguf").toString(), "--prompt",
				prompt(1), "--out", out.toString());

		assertEquals(0, result.code(), result.err());
		ReferenceLogits written = ReferenceLogits.read(out);
		assertEquals(Arrays.toString(reference.tokens()), Arrays.toString(written.tokens()));
		double error = ReferenceLogits.relativeError(written.rows(), reference.rows());
		assertTrue(error <= 1e-3, "relative L2 error " + error);
	}

	@Test
	void logitsNeedExactlyOneOfTokensAndPrompt() {
		Result result = run("logits", "--model", MODELS.resolve("micro-llama-f32.gguf").toString(), "--out",
				folder.resolve("x").toString());

		assertEquals(2, result.code());
		assertTrue(result.err().contains("give exactly one of --tokens and --prompt"), result.err());
	}

	@Test
	void contextLengthBoundsThePromptAndCannotPassTheFilesContextWithoutRopeScaling() {
		String model = MODELS.resolve("micro-llama-f32.gguf").toString();
		Path out = folder.resolve("logits.txt");

		Result shorter = run("logits", "--model", model, "--tokens", "1 2 3 4 5", "--context-length", "4", "--out",
				out.toString());
		Result longer = run("logits", "--model", model, "--tokens", "1 2 3", "--context-length", "257", "--out",
				out.toString());
		Result fits = run("logits", "--model", model, "--tokens", "1 2 3", "--context-length", "4", "--out",
				out.toString());

		assertEquals(2, shorter.code());
		assertTrue(shorter.err().contains("the prompt has 5 tokens; the context holds 4"), shorter.err());
		assertEquals(1, longer.code());
		assertTrue(longer.err().contains("context length 257 is outside 1..256")
				&& longer.err().contains("no RoPE scaling"), longer.err());
		assertEquals(0, fits.code(), fits.err());
	}

	@Test
	void anUnknownDeviceIsAUsageError() {
		Result result = run("generate", "--model", MODELS.resolve("micro-llama-f32.gguf").toString(), "--prompt", "hi",
				"--device", "gpu0");

		assertEquals(2, result.code());
		assertTrue(result.err().contains("--device must be cpu, cuda or cuda:N, not 'gpu0'"), result.err());
	}

	@Test
	void severalDevicesArePlannedThenRefusedNamingWhatIsMissing() {
		Result result = run("generate", "--model", MODELS.resolve("micro-llama-f32.gguf").toString(), "--prompt", "hi",
				"--devices", "0,1");

		assertEquals(1, result.code());
		assertTrue(
				result.err().contains("over CUDA devices [0, 1]: ") && (result.err().contains("libnccl.so.2")
						|| result.err().contains("execution over 2 devices is not available in this build; plan: ")),
				result.err());
	}

	@Test
	void aDeviceListThatIsNotOrdinalsOrComesWithDeviceIsAUsageError() {
		String model = MODELS.resolve("micro-llama-f32.gguf").toString();

		Result notOrdinals = run("generate", "--model", model, "--prompt", "hi", "--devices", "0;1");
		Result twice = run("generate", "--model", model, "--prompt", "hi", "--devices", "1,1");
		Result both = run("generate", "--model", model, "--prompt", "hi", "--device", "cuda:0", "--devices", "0,1");

		assertEquals(2, notOrdinals.code());
		assertTrue(notOrdinals.err().contains("--devices must be CUDA ordinals separated by commas (0,1), not '0;1'"),
				notOrdinals.err());
		assertEquals(2, twice.code());
		assertTrue(twice.err().contains("--devices 1,1 names a device twice"), twice.err());
		assertEquals(2, both.code());
		assertTrue(both.err().contains("--device and --devices are both given"), both.err());
	}

	@Test
	void generateStreamsTheSameTextForTheSameSeedAndReportsTokenCounts() {
		String[] args = { "generate", "--model", MODELS.resolve("micro-llama-Q8_0.gguf").toString(), "--prompt",
				prompt(1), "-n", "12", "--temp", "0.9", "--seed", "1234", "--top-k", "50", "--top-p", "0.9" };

		Result first = run(args);
		Result second = run(args);

		assertEquals(0, first.code(), first.err());
		assertEquals(first.out(), second.out());
		assertTrue(first.out().strip().length() > 0, "generated text: '" + first.out() + "'");
		int promptTokens = ReferenceLogits.read(reference("micro-llama-Q8_0", 1)).tokens().length;
		assertTrue(first.err().contains("prompt " + promptTokens + " tokens"), first.err());
		assertTrue(first.err().contains("seed 1234"), first.err());
		assertTrue(first.err().matches("(?s).*generated (1[0-2]|[1-9]) tokens.*"), first.err());
	}

	@Test
	void generateTakesTokenIdsAndPrintsTheGreedyIdsTheReferenceChooses() {
		ReferenceLogits exact = ReferenceLogits.read(reference("micro-llama-f32", 1));
		String model = MODELS.resolve("micro-llama-f32.gguf").toString();
		String ids = Arrays.stream(exact.tokens()).mapToObj(Integer::toString).collect(Collectors.joining(" "));

		Result fromIds = run("generate", "--model", model, "--tokens", ids, "--output", "ids", "-n", "12", "--temp",
				"0");
		Result fromText = run("generate", "--model", model, "--prompt", prompt(1), "--output", "ids", "-n", "12",
				"--temp", "0");

		assertEquals(0, fromIds.code(), fromIds.err());
		String[] generated = fromIds.out().strip().split(" ");
		assertEquals(12, generated.length, fromIds.out());
		float[] last = exact.rows()[exact.rows().length - 1];
		int argmax = 0;
		for (int i = 1; i < last.length; i++) {
			argmax = last[i] > last[argmax] ? i : argmax;
		}
		assertEquals(argmax, Integer.parseInt(generated[0]));
		// The text prompt encodes to the same ids (BOS included), so both continue alike.
		assertEquals(fromIds.out(), fromText.out());
		assertEquals(2, run("generate", "--model", model, "--tokens", ids, "--prompt", "hi").code());
		Result badOutput = run("generate", "--model", model, "--tokens", ids, "--output", "json");
		assertEquals(2, badOutput.code());
		assertTrue(badOutput.err().contains("--output must be text or ids: json"), badOutput.err());
	}

	private static Path reference(String model, int prompt) {
		return MODELS.resolve("reference").resolve(model + ".p" + prompt + ".exact.txt.gz");
	}

	private static String prompt(int number) {
		try {
			return Files.readAllLines(MODELS.resolve("prompts.txt"), StandardCharsets.UTF_8).get(number - 1);
		}
		catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

	private static float[] parseRow(String line) {
		String[] numbers = line.split(" ");
		float[] row = new float[numbers.length];
		for (int i = 0; i < numbers.length; i++) {
			row[i] = Float.parseFloat(numbers[i]);
		}
		return row;
	}

}
