package dev.llcuda.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCommandTests {

	private static final String MODEL = Path
		.of(System.getProperty("llcuda.testdata", "../shared/testdata"), "models", "micro-llama-Q8_0.gguf")
		.toString();

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	private int run(String... args) {
		return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
	}

	@Test
	void printsOneTableRowPerConcurrencyLevel() {
		assertEquals(0, run("bench", "--model", MODEL, "--concurrency", "1,3", "--prompt-tokens", "8", "--gen-tokens",
				"5", "--threads", "1"), err.toString(StandardCharsets.UTF_8));
		List<String> rows = out.toString(StandardCharsets.UTF_8)
			.lines()
			.filter(l -> l.matches("\\| \\d+ \\|.*"))
			.toList();
		assertEquals(2, rows.size(), out.toString(StandardCharsets.UTF_8));
		assertTrue(rows.get(0).startsWith("| 1 | "));
		assertTrue(rows.get(1).startsWith("| 3 | "));
		// Each of the 5 tokens needs a step of its own; 3 requests arriving apart need at
		// most 3 times that.
		int steps = Integer.parseInt(rows.get(1).split("\\|")[7].trim());
		assertTrue(steps >= 5 && steps <= 15, rows.get(1));
	}

	@Test
	void badConcurrencyListIsAUsageError() {
		assertEquals(2, run("bench", "--model", MODEL, "--concurrency", "1,x"));
		assertTrue(err.toString(StandardCharsets.UTF_8)
			.contains("--concurrency needs comma-separated integers, e.g. 1,4,16,64: 1,x"));
	}

	@Test
	void lengthsBeyondTheContextAreRefused() {
		assertEquals(2, run("bench", "--model", MODEL, "--concurrency", "1", "--prompt-tokens", "200", "--gen-tokens",
				"100", "--threads", "1"));
		assertTrue(err.toString(StandardCharsets.UTF_8)
			.contains("prompt plus generated tokens (300) exceed the context of 256"), err.toString());
	}

}
