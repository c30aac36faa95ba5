package dev.llcuda.sample;

import java.nio.file.Path;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The properties of a test service's registry: over {@code modelFolders} in a database of
 * its own ({@code target/<database>-<pid>}), on the CPU, writes open to
 * {@link MicroModelService#ADMIN_KEY}; no model unless the caller adds
 * {@code llcuda.model.path}.
 */
final class RegistryOnlyService {

	private RegistryOnlyService() {
	}

	static void properties(DynamicPropertyRegistry registry, Path modelFolders, String database) {
		registry.add("llcuda.native.cache-dir", SampleApplicationTests.NATIVE_CACHE::toString);
		registry.add("llcuda.gpu.enabled", () -> "false");
		registry.add("llcuda.engine.cpu-threads", () -> "2");
		registry.add("llcuda.registry.model-folders", modelFolders::toString);
		registry.add("llcuda.registry.scan-on-startup", () -> "false");
		registry.add("llcuda.security.admin-keys", () -> MicroModelService.ADMIN_KEY);
		registry.add("llcuda.registry.database-file",
				() -> Path.of("target", database + "-" + ProcessHandle.current().pid()).toAbsolutePath().toString());
	}

}
