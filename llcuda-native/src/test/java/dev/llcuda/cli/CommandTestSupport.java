package dev.llcuda.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import dev.llcuda.nativelib.NativeLibraryOptions;

/**
 * What the command tests share: the test models, a temporary folder per test, a command
 * run with its output captured and the native library extracted into the build's own
 * cache folder.
 */
abstract class CommandTestSupport {

	static final Path MODELS = Path.of(System.getProperty("llcuda.testdata"), "models");

	@TempDir
	Path folder;

	@BeforeAll
	static void useTheBuildsLibraryCache() {
		System.setProperty(NativeLibraryOptions.CACHE_PROPERTY, Path.of("target", "llcuda-cache").toString());
	}

	@AfterAll
	static void restoreProperties() {
		System.clearProperty(NativeLibraryOptions.CACHE_PROPERTY);
	}

	/** A command's exit code and what it printed. */
	record Result(int code, String out, String err) {
	}

	/** Runs {@code bin/llcuda} with {@code args}, capturing its output. */
	static Result run(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
		return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

}
