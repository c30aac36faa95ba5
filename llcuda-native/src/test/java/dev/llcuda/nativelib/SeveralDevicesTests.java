package dev.llcuda.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * One model over several CUDA devices: the library plans the split and opens the system's
 * NCCL only then (so it loads and runs without NCCL, as here), and this build refuses
 * after those checks, naming what is missing.
 */
class SeveralDevicesTests {

	private static final String MODEL = "micro-llama-f32.gguf";

	@Test
	void aModelOverTwoDevicesIsRefusedNamingNcclOrThePlan() {
		Path gguf = TestModels.model(MODEL);

		NativeException refused = assertThrows(NativeException.class,
				() -> TestModels.library().loadModelOnDevices(List.of(0, 1), gguf, TestModels.spec(MODEL)));

		String message = refused.getMessage();
		assertEquals(Status.UNSUPPORTED, refused.status(), message);
		assertTrue(message.contains("cannot load " + gguf + " over CUDA devices [0, 1]: "), message);
		assertTrue(
				message.contains("libnccl.so.2 was not found") && message.contains("install NCCL")
						|| message.contains("execution over 2 devices is not available in this build; plan: "),
				message);
	}

	@Test
	void aDeviceNamedTwiceIsRefused() {
		NativeException refused = assertThrows(NativeException.class, () -> TestModels.library()
			.loadModelOnDevices(List.of(1, 1), TestModels.model(MODEL), TestModels.spec(MODEL)));

		assertEquals(Status.INVALID_ARGUMENT, refused.status(), refused.getMessage());
		assertTrue(refused.getMessage().endsWith("CUDA device 1 is listed twice"), refused.getMessage());
	}

	@Test
	void theLibraryStillRunsAModelOnOneDeviceAfterwards() {
		assertThrows(NativeException.class, () -> TestModels.library()
			.loadModelOnDevices(List.of(0, 1), TestModels.model(MODEL), TestModels.spec(MODEL)));

		try (Model model = TestModels.load(MODEL)) {
			assertTrue(model.weightBytes() > 0);
		}
	}

}
