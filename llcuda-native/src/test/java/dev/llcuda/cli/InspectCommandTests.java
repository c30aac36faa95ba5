package dev.llcuda.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.SharedGgufFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class InspectCommandTests {

	/** Exit code, stdout and stderr of one {@code llcuda} run. */
	private record Run(int exitCode, String out, String err) {
		List<String> lines() {
			return out.lines().toList();
		}
	}

	private static Run run(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
		return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

	private static void assertLine(Run run, String regex) {
		Pattern pattern = Pattern.compile(regex);
		assertTrue(run.lines().stream().anyMatch(line -> pattern.matcher(line).matches()),
				"no line matches " + regex + " in:\n" + run.out());
	}

	static Stream<Path> allFiles() {
		return Stream.concat(SharedGgufFiles.models().stream(), SharedGgufFiles.vocabularies().stream());
	}

	@ParameterizedTest
	@MethodSource("allFiles")
	void inspectsEverySharedGguf(Path path) {
		Run run = run("inspect", path.toString());
		assertEquals(0, run.exitCode(), run.err());
		assertEquals("", run.err());
		assertLine(run,
				"GGUF version 3, alignment 32, data offset \\d+, file size " + path.toFile().length() + " bytes");
		assertLine(run, "  general\\.architecture +string +\"(llama|qwen2|.*)\"");
		assertLine(run, "  vocabulary size: \\d+");
	}

	@Test
	void microLlamaQ4KmShowsMetadataTensorsAndSummary() {
		Run run = run("inspect", SharedGgufFiles.model("micro-llama-Q4_K_M.gguf").toString());
		assertEquals(0, run.exitCode(), run.err());
		assertLine(run, "metadata: \\d+ keys");
		assertLine(run, "  llama\\.embedding_length +uint32 +256");
		assertLine(run, "  llama\\.attention\\.layer_norm_rms_epsilon +float32 +1\\.0E-5");
		assertLine(run, "  tokenizer\\.ggml\\.tokens +array<string> +\\[\"<unk>\", \"<s>\", \"</s>\", \"<0x00>\","
				+ " \"<0x01>\", \"<0x02>\", \"<0x03>\", \"<0x04>\", \\.\\.\\. \\(512 elements\\)\\]");
		assertLine(run, "tensors: 21");
		assertLine(run, "  token_embd\\.weight +Q4_K +\\[256, 512\\] +offset +\\d+ +size +73728");
		assertLine(run, "  output_norm\\.weight +F32 +\\[256\\] +offset +\\d+ +size +1024");
		assertLine(run, "  architecture: +llama");
		assertLine(run, "  parameters: +1443072 \\(1\\.44M\\)");
		assertLine(run, "  file type: +Q4_K_M");
		assertLine(run, "  context length: +256");
		assertLine(run, "  vocabulary size: +512");
		assertLine(run, "  model: +synthetic-llama-micro: layers 2, heads 4 \\(KV 2\\) of size 64, embedding 256,"
				+ " feed-forward 512, RoPE NORMAL theta 10000\\.0");
		assertLine(run, "  engine: +can run this model");
	}

	@Test
	void vocabularyOnlyFileSaysWhyTheEngineCannotRunIt() {
		Run run = run("inspect", SharedGgufFiles.vocab("llama-bpe").toString());
		assertEquals(0, run.exitCode(), run.err());
		assertLine(run, "tensors: 0");
		assertLine(run, "  tokenizer\\.chat_template +string +\"\\{% set loop_messages.+\"\\.\\.\\. \\(\\d+ chars\\)");
		assertLine(run, "  vocabulary size: +128256");
		assertLine(run, "  file type: +\\(not set\\)");
		assertLine(run, "  engine: +cannot run this file: .*missing metadata key 'llama\\.embedding_length'");
	}

	@Test
	void malformedFileIsAnErrorWithTheOffset(@TempDir Path dir) throws IOException {
		Path bad = Files.write(dir.resolve("bad.gguf"), new byte[] { 'G', 'G', 'U', 'F', 1, 0, 0, 0 });
		Run run = run("inspect", bad.toString());
		assertEquals(1, run.exitCode());
		assertEquals("llcuda inspect: " + bad + " at byte offset 4: unsupported GGUF version 1; versions 2 and 3"
				+ " are supported", run.err().strip());
	}

	@Test
	void missingFileIsNamed(@TempDir Path dir) {
		Run run = run("inspect", dir.resolve("absent.gguf").toString());
		assertEquals(1, run.exitCode());
		assertEquals("llcuda inspect: no such file: " + dir.resolve("absent.gguf"), run.err().strip());
	}

	@Test
	void missingArgumentIsAUsageError() {
		Run run = run("inspect");
		assertEquals(2, run.exitCode());
		assertTrue(run.err().contains("missing the GGUF file"), run.err());
		assertTrue(run.err().contains("usage: llcuda inspect MODEL.gguf"), run.err());
	}

}
