package dev.llcuda.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A context for the auto-configuration tests that needs neither the native library nor a
 * GPU nor the user's home: a library file that fails its checksum (so the runtime starts
 * without one, as on a machine without llcuda's library), the registry's database and
 * model folder and the library cache under {@code temp}, the GPU off.
 */
final class LlcudaContextRunner {

	/**
	 * SHA-256 of "abc": the digest the tampered library is expected to have but does not.
	 */
	static final String SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

	private LlcudaContextRunner() {
	}

	static ApplicationContextRunner of(Path temp) throws IOException {
		Path library = Files.writeString(temp.resolve("libllcuda.so"), "tampered");
		Path models = Files.createDirectories(temp.resolve("models"));
		return new ApplicationContextRunner().withPropertyValues("llcuda.native.library-path=" + library,
				"llcuda.native.library-sha256=" + SHA256_ABC, "llcuda.native.cache-dir=" + temp.resolve("cache"),
				"llcuda.registry.database-file=" + temp.resolve("registry"), "llcuda.registry.model-folders=" + models,
				"llcuda.gpu.enabled=false");
	}

}
