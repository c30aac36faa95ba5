package dev.llcuda.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.hf.HfFixtures;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.nativelib.ReferenceLogits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code llcuda convert}, and a Hugging Face directory given to {@code --model}. */
class ConvertCommandTests extends CommandTestSupport {

	@Test
	void convertWritesTheRequestedTypeAndTheFileLoads() throws IOException {
		Path hf = checkpoint();
		Path out = folder.resolve("micro.gguf");

		Result result = run("convert", "--model", hf.toString(), "--out", out.toString(), "--type", "q8_0");

		assertEquals(0, result.code(), result.err());
		assertTrue(result.out().startsWith("wrote " + out), result.out());
		try (GgufFile file = GgufFile.open(out)) {
			assertEquals(GgmlType.Q8_0, file.tensor("blk.0.attn_q.weight").map(TensorInfo::type).orElseThrow());
		}
	}

	@Test
	void anUnknownTypeOrAFileInsteadOfADirectoryIsAUsageError() throws IOException {
		Path hf = checkpoint();
		Result badType = run("convert", "--model", hf.toString(), "--out", folder.resolve("x.gguf").toString(),
				"--type", "Q4_K_M");
		assertEquals(2, badType.code());
		assertTrue(badType.err().contains("--type: 'Q4_K_M' is not a conversion type"), badType.err());
		Result notADirectory = run("convert", "--model", MODELS.resolve("micro-llama-f32.gguf").toString(), "--out",
				folder.resolve("x.gguf").toString());
		assertEquals(2, notADirectory.code());
		assertTrue(notADirectory.err().contains("is not a Hugging Face model directory"), notADirectory.err());
	}

	@Test
	void logitsOfADirectoryComeFromItsCachedConversion() throws IOException {
		Path hf = checkpoint();
		Path cache = folder.resolve("cache");
		ReferenceLogits reference = ReferenceLogits
			.read(MODELS.resolve("reference").resolve("micro-llama-f32.p1.exact.txt.gz"));
		String tokens = Arrays.stream(reference.tokens()).mapToObj(Integer::toString).collect(Collectors.joining(" "));
		Path out = folder.resolve("logits.txt");

		Result result = run("logits", "--model", hf.toString(), "--quantize", "F16", "--cache-dir", cache.toString(),
				"--tokens", tokens, "--out", out.toString());

		assertEquals(0, result.code(), result.err());
		try (Stream<Path> cached = Files.list(cache)) {
			List<String> names = cached.map(p -> p.getFileName().toString()).toList();
			assertEquals(1, names.size(), names.toString());
			assertTrue(names.get(0).matches("hf-F16-[0-9a-f]{16}\\.gguf"), names.toString());
		}
		float[][] rows = Files.readAllLines(out, StandardCharsets.US_ASCII).stream().skip(1).map(line -> {
			String[] parts = line.split(" ");
			float[] row = new float[parts.length];
			for (int i = 0; i < parts.length; i++) {
				row[i] = Float.parseFloat(parts[i]);
			}
			return row;
		}).toArray(float[][]::new);
		double error = ReferenceLogits.relativeError(rows, reference.rows());
		assertTrue(error <= 6e-3, "relative L2 error " + error); // BF16 weights, exact in
																	// F16
	}

	private Path checkpoint() throws IOException {
		NativeLibrary library = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties());
		return new HfFixtures(library).write(MODELS.resolve("micro-llama-f32.gguf"), folder.resolve("hf"),
				GgmlType.BF16, 1);
	}

}
