package dev.llcuda.nativelib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * What the library tells about itself and the devices, and its quantization utilities.
 */
class NativeLibraryQueriesTests {

	private static final int F16 = 1;

	private static final int Q8_0 = 8;

	@Test
	void theCpuBackendDescribesTheCpu() {
		DeviceInfo info = TestModels.cpu().info();

		assertEquals(BackendKind.CPU, info.kind());
		assertEquals("", info.uuid());
		assertEquals("", info.computeCapability());
		assertFalse(info.name().isBlank());
		assertTrue(info.multiprocessors() >= 1, "CPU threads: " + info.multiprocessors());
	}

	@Test
	void noCudaDeviceComesWithTheReasonWhy() {
		CudaDevices devices = TestModels.library().cudaDevices();

		assertTrue(devices.count() >= 0);
		assertEquals(devices.count() == 0, !devices.reason().isEmpty(), "reason: '" + devices.reason() + "'");
	}

	@Test
	void aCudaDeviceBeyondTheCountIsANativeExceptionWithAMessage() {
		int count = TestModels.library().cudaDevices().count();

		NativeException refused = assertThrows(NativeException.class, () -> TestModels.library().cudaDeviceInfo(count));

		assertFalse(refused.getMessage().endsWith("(no message)"), refused.getMessage());
	}

	@Test
	void halfPrecisionRoundTripsRepresentableValuesExactly() {
		float[] values = { 0f, 1f, -2f, 0.5f, 1024f, -0.125f, 65504f, 3.140625f };
		byte[] data = new byte[values.length * 2];

		assertEquals(data.length, TestModels.library().quantize(F16, values, data));
		assertArrayEquals(values, TestModels.library().dequantize(F16, data, values.length));
	}

	@Test
	void q8ZeroKeepsEveryValueWithinHalfAQuantizationStep() {
		float[] values = new float[64];
		for (int i = 0; i < values.length; i++) {
			values[i] = (float) Math.sin(i * 0.37) * (i < 32 ? 2f : 0.01f);
		}
		byte[] data = new byte[2 * 34];

		assertEquals(data.length, TestModels.library().quantize(Q8_0, values, data));
		float[] back = TestModels.library().dequantize(Q8_0, data, values.length);
		for (int i = 0; i < values.length; i++) {
			float step = (i < 32 ? 2f : 0.01f) / 127f;
			assertEquals(values[i], back[i], step * 0.5f + Math.abs(values[i]) * 1e-3f, "element " + i);
		}
	}

	@Test
	void quantizingIntoTooSmallABufferIsRefused() {
		NativeException refused = assertThrows(NativeException.class,
				() -> TestModels.library().quantize(Q8_0, new float[32], new byte[33]));

		assertEquals(Status.INVALID_ARGUMENT, refused.status());
		assertTrue(refused.getMessage().contains("dst holds 33 bytes"), refused.getMessage());
	}

}
