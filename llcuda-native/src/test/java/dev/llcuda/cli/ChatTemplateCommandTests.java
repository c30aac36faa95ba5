package dev.llcuda.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llcuda chat-template --cases}: passes the shared cases, reports failures with a
 * diff.
 */
class ChatTemplateCommandTests {

	private static final Path CASES = Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"),
			"templates", "cases.json");

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	private int run(String... args) {
		return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
	}

	private String output() {
		return out.toString(StandardCharsets.UTF_8);
	}

	@Test
	void passesEverySharedCase() {
		assertEquals(0, run("chat-template", "--cases", CASES.toString()));
		assertEquals("84 passed, 0 failed\n", output());
	}

	@Test
	void reportsEachFailureWithTheFirstDifferenceAndExitsNonZero(@TempDir Path dir) throws Exception {
		Files.writeString(dir.resolve("hi.jinja"),
				"{% for m in messages %}<{{ m.role }}>{{ m.content }}\n{% endfor %}");
		Files.writeString(dir.resolve("cases.json"),
				"""
						{"cases": [
						 {"template": "hi.jinja", "conversation": "ok", "context": {"messages": [{"role": "user", "content": "Hi"}]},
						  "expected": "<user>Hi\\n"},
						 {"template": "hi.jinja", "conversation": "wrong", "context": {"messages": [{"role": "user", "content": "Hi"}]},
						  "expected": "<user>Ho\\n"},
						 {"template": "hi.jinja", "conversation": "no-error", "context": {"messages": []},
						  "expected_error": "TemplateError: refused"},
						 {"template": "missing.jinja", "conversation": "x", "context": {}, "expected": ""}
						]}
						""");

		assertEquals(1, run("chat-template", "--cases", dir.resolve("cases.json").toString()));

		String[] lines = output().split("\n");
		assertEquals(4, lines.length);
		assertEquals("FAIL hi wrong: differs at offset 7 (expected 9 chars, got 9): "
				+ "expected \"<user>Ho\\n\" got \"<user>Hi\\n\"", lines[0]);
		assertEquals("FAIL hi no-error: expected error 'TemplateError: refused' but rendering succeeded", lines[1]);
		assertTrue(lines[2].startsWith("FAIL missing x: cannot read template "), lines[2]);
		assertEquals("1 passed, 3 failed", lines[3]);
	}

	@Test
	void aMissingCasesOptionIsAUsageError() {
		assertEquals(2, run("chat-template"));
		assertEquals("llcuda chat-template: missing option --cases\nusage: llcuda chat-template --cases CASES.json\n",
				err.toString(StandardCharsets.UTF_8));
	}

}
