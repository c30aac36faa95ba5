package dev.llcuda.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * Runs against the real driver where one is installed (the GPU machine); elsewhere checks
 * the absence path.
 */
class NvmlTests {

	private static boolean driverInstalled() {
		return Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1"))
				|| Files.exists(Path.of("/usr/lib64/libnvidia-ml.so.1"));
	}

	@Test
	void withoutTheDriverOpenSaysWhy() {
		assumeTrue(!driverInstalled());
		StringBuilder why = new StringBuilder();
		assertTrue(Nvml.open(why).isEmpty());
		assertEquals("libnvidia-ml.so.1 not found (no NVIDIA driver)", why.toString());
	}

	@Test
	void withTheDriverEveryDeviceReportsIdentityAndReadings() {
		assumeTrue(driverInstalled());
		Optional<Nvml> opened = Nvml.open(new StringBuilder());
		assertTrue(opened.isPresent());
		try (Nvml nvml = opened.get()) {
			assertFalse(nvml.devices().isEmpty());
			for (NvmlDevice device : nvml.devices()) {
				assertTrue(device.uuid().startsWith("GPU-"), device.uuid());
				assertTrue(device.capability().major() >= 3, device.capability().toString());
				assertTrue(device.driverVersion().matches("\\d+\\.\\d+(\\.\\d+)?"), device.driverVersion());
				GpuSample sample = nvml.sample(device.index());
				assertEquals(device.memoryTotal(), sample.memoryTotal());
				assertTrue(sample.memoryUsed() > 0 && sample.memoryUsed() <= sample.memoryTotal());
				assertTrue(sample.utilizationPercent() >= 0 && sample.utilizationPercent() <= 100);
				assertTrue(sample.temperatureCelsius() > 0 && sample.temperatureCelsius() < 120);
				assertTrue(sample.powerWatts() > 0);
			}
		}
	}

}
