package dev.llcuda.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code llcuda generate} (the class {@code bin/llcuda} launches) in its own JVM on
 * this test's class path, and reads its text and its token counts.
 */
final class CliGenerate {

	private static final Pattern COUNTS = Pattern.compile("prompt (\\d+) tokens .* generated (\\d+) tokens");

	record Output(String text, int promptTokens, int generatedTokens) {
	}

	private CliGenerate() {
	}

	/**
	 * @param extra further options of {@code generate} (such as {@code --lora FILE})
	 */
	static Output run(Path model, String prompt, int tokens, long seed, Path nativeCache, String... extra)
			throws IOException, InterruptedException {
		Path out = Files.createTempFile("llcuda-generate", ".out");
		Path err = Files.createTempFile("llcuda-generate", ".err");
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
						"-Dllcuda.native.cache-dir=" + nativeCache, "-cp", System.getProperty("java.class.path"),
						"dev.llcuda.cli.Main", "generate", "--model", model.toString(), "--prompt", prompt, "-n",
						Integer.toString(tokens), "--seed", Long.toString(seed), "--threads", "2"));
		command.addAll(List.of(extra));
		Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
		if (!process.waitFor(60, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IllegalStateException("llcuda generate did not finish within 60 s");
		}
		String stderr = Files.readString(err, StandardCharsets.UTF_8);
		if (process.exitValue() != 0) {
			throw new IllegalStateException("llcuda generate failed: " + stderr);
		}
		Matcher counts = COUNTS.matcher(stderr);
		if (!counts.find()) {
			throw new IllegalStateException("llcuda generate printed no token counts: " + stderr);
		}
		String stdout = Files.readString(out, StandardCharsets.UTF_8);
		// generate ends its text with one newline
		String text = stdout.endsWith("\n") ? stdout.substring(0, stdout.length() - 1) : stdout;
		return new Output(text, Integer.parseInt(counts.group(1)), Integer.parseInt(counts.group(2)));
	}

}
