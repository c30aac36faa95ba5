package dev.llcuda.cli;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import dev.llcuda.nativelib.NativeLibraryOptions;

/**
 * What the command tests share: the test models, a temporary folder per test and the
 * native library extracted into the build's own cache folder.
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

}
