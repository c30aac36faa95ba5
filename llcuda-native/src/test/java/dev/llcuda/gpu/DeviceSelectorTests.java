package dev.llcuda.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class DeviceSelectorTests {

	private static final long GIB = 1L << 30;

	private static final CudaDevice T4 = new CudaDevice(0, "Tesla T4", "GPU-t4", new ComputeCapability(7, 5), 40, 12040,
			15 * GIB, 14 * GIB);

	private static final CudaDevice H100 = new CudaDevice(1, "NVIDIA H100 80GB HBM3", "GPU-h100",
			new ComputeCapability(9, 0), 132, 13000, 80 * GIB, 79 * GIB);

	private static final CudaDevice P4 = new CudaDevice(0, "Tesla P4", "GPU-p4", new ComputeCapability(6, 1), 20, 12040,
			8 * GIB, 7 * GIB);

	private static final DeviceRequest ANY_GPU = DeviceRequest.of(true, 0, false);

	@Test
	void teslaT4GetsTheTunedProfile() {
		DeviceSelection selection = DeviceSelector.select(ANY_GPU, new CudaInventory(List.of(T4), ""), List.of());
		assertSame(T4, selection.cuda());
		assertEquals(DeviceProfile.teslaT4(), selection.profile());
		assertEquals("CUDA device 0 (Tesla T4, sm_75, profile tesla-t4)", selection.reason());
	}

	@Test
	void otherSupportedGpuGetsAProfileSizedFromItsMemory() {
		DeviceSelection selection = DeviceSelector.select(DeviceRequest.of(true, 1, false),
				new CudaInventory(List.of(T4, H100), ""), List.of());
		assertSame(H100, selection.cuda());
		assertEquals(new DeviceProfile("cuda-sm_90", 64, 4096, 32 * GIB), selection.profile());
	}

	@Test
	void nvmlViewIsMatchedByUuidNotByIndex() {
		NvmlDevice otherCard = new NvmlDevice(0, "NVIDIA H100 80GB HBM3", "GPU-h100", new ComputeCapability(9, 0),
				80 * GIB, "580.1");
		NvmlDevice sameCard = new NvmlDevice(1, "Tesla T4", "GPU-t4", new ComputeCapability(7, 5), 16 * GIB, "580.1");
		DeviceSelection selection = DeviceSelector.select(ANY_GPU, new CudaInventory(List.of(T4), ""),
				List.of(otherCard, sameCard));
		assertSame(sameCard, selection.nvml());
	}

	@Test
	void olderGpuFallsBackToTheCpuSayingWhy() {
		DeviceSelection selection = DeviceSelector.select(ANY_GPU, new CudaInventory(List.of(P4), ""), List.of());
		assertTrue(selection.isCpu());
		assertEquals(DeviceProfile.cpu(), selection.profile());
		assertEquals("the CPU, because Tesla P4 has compute capability 6.1; llcuda needs 7.5 (sm_75) or newer",
				selection.reason());
	}

	@Test
	void noCudaDeviceFallsBackToTheCpuWithTheLibrarysReason() {
		DeviceSelection selection = DeviceSelector.select(ANY_GPU, CudaInventory.none("no CUDA driver"), List.of());
		assertTrue(selection.isCpu());
		assertNull(selection.nvml());
		assertEquals("the CPU, because no usable CUDA device: no CUDA driver", selection.reason());
	}

	@Test
	void missingOrdinalFallsBackToTheCpu() {
		DeviceSelection selection = DeviceSelector.select(DeviceRequest.of(true, 3, false),
				new CudaInventory(List.of(T4), ""), List.of());
		assertEquals("the CPU, because CUDA device 3 does not exist (llcuda.gpu.device; 1 device(s) found)",
				selection.reason());
	}

	@Test
	void requiredGpuThatIsMissingFailsWithTheReason() {
		GpuRequiredException failure = assertThrows(GpuRequiredException.class, () -> DeviceSelector
			.select(DeviceRequest.of(true, 0, true), new CudaInventory(List.of(P4), ""), List.of()));
		assertEquals("a GPU is required (llcuda.gpu.required=true) but Tesla P4 has compute capability 6.1; "
				+ "llcuda needs 7.5 (sm_75) or newer", failure.getMessage());
	}

	@Test
	void disabledGpuUsesTheCpuEvenWhenOneIsPresent() {
		DeviceSelection selection = DeviceSelector.select(DeviceRequest.of(false, 0, false),
				new CudaInventory(List.of(T4), ""), List.of());
		assertTrue(selection.isCpu());
		assertEquals("the CPU, because the GPU is disabled (llcuda.gpu.enabled=false)", selection.reason());
	}

	@Test
	void severalDevicesOfOneKindAreSelectedInTheOrderAsked() {
		CudaDevice secondT4 = new CudaDevice(1, "Tesla T4", "GPU-t4-b", new ComputeCapability(7, 5), 40, 12040,
				15 * GIB, 14 * GIB);

		DeviceSelection selection = DeviceSelector.select(new DeviceRequest(true, List.of(1, 0), false),
				new CudaInventory(List.of(T4, secondT4), ""), List.of());

		assertSame(secondT4, selection.cuda());
		assertEquals(List.of(secondT4, T4), selection.cudaDevices());
		assertEquals(List.of(1, 0), selection.ordinals());
		assertTrue(selection.severalDevices());
		assertEquals(DeviceProfile.teslaT4(), selection.profile());
		assertEquals("CUDA devices 1 (Tesla T4, sm_75), 0 (Tesla T4, sm_75), profile tesla-t4 on each",
				selection.reason());
	}

	@Test
	void oneDeviceIsNotSeveral() {
		DeviceSelection selection = DeviceSelector.select(ANY_GPU, new CudaInventory(List.of(T4), ""), List.of());

		assertEquals(List.of(T4), selection.cudaDevices());
		assertFalse(selection.severalDevices());
	}

	@Test
	void aMissingOneOfSeveralDevicesFallsBackToTheCpuNamingIt() {
		DeviceSelection selection = DeviceSelector.select(new DeviceRequest(true, List.of(0, 2), false),
				new CudaInventory(List.of(T4, H100), ""), List.of());

		assertTrue(selection.isCpu());
		assertEquals(List.of(), selection.cudaDevices());
		assertEquals("the CPU, because CUDA device 2 does not exist (llcuda.gpu.devices; 2 device(s) found)",
				selection.reason());
	}

	@Test
	void devicesOfDifferentKindsAreNotSplitOver() {
		GpuRequiredException failure = assertThrows(GpuRequiredException.class, () -> DeviceSelector
			.select(new DeviceRequest(true, List.of(0, 1), true), new CudaInventory(List.of(T4, H100), ""), List.of()));

		assertEquals("a GPU is required (llcuda.gpu.required=true) but the CUDA devices 0 (Tesla T4, sm_75), "
				+ "1 (NVIDIA H100 80GB HBM3, sm_90) are of different kinds; one model is split over devices of one "
				+ "kind (llcuda.gpu.devices)", failure.getMessage());
	}

	@Test
	void aDeviceListNamingADeviceTwiceOrNoneIsRefused() {
		IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
				() -> new DeviceRequest(true, List.of(0, 1, 0), false));
		IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
				() -> new DeviceRequest(true, List.of(), false));
		IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
				() -> new DeviceRequest(true, List.of(0, -1), false));

		assertEquals("llcuda.gpu.devices [0, 1, 0] names a device twice", twice.getMessage());
		assertEquals("llcuda.gpu.devices is empty: name at least one CUDA ordinal", none.getMessage());
		assertEquals("llcuda.gpu.devices [0, -1] holds a negative CUDA ordinal", negative.getMessage());
	}

}
