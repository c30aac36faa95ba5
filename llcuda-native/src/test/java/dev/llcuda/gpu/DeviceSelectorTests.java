package dev.llcuda.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

	private static final DeviceRequest ANY_GPU = new DeviceRequest(true, 0, false);

	@Test
	void teslaT4GetsTheTunedProfile() {
		DeviceSelection selection = DeviceSelector.select(ANY_GPU, new CudaInventory(List.of(T4), ""), List.of());
		assertSame(T4, selection.cuda());
		assertEquals(DeviceProfile.teslaT4(), selection.profile());
		assertEquals("CUDA device 0 (Tesla T4, sm_75, profile tesla-t4)", selection.reason());
	}

	@Test
	void otherSupportedGpuGetsAProfileSizedFromItsMemory() {
		DeviceSelection selection = DeviceSelector.select(new DeviceRequest(true, 1, false),
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
		DeviceSelection selection = DeviceSelector.select(new DeviceRequest(true, 3, false),
				new CudaInventory(List.of(T4), ""), List.of());
		assertEquals("the CPU, because CUDA device 3 does not exist (llcuda.gpu.device; 1 device(s) found)",
				selection.reason());
	}

	@Test
	void requiredGpuThatIsMissingFailsWithTheReason() {
		GpuRequiredException failure = assertThrows(GpuRequiredException.class, () -> DeviceSelector
			.select(new DeviceRequest(true, 0, true), new CudaInventory(List.of(P4), ""), List.of()));
		assertEquals("a GPU is required (llcuda.gpu.required=true) but Tesla P4 has compute capability 6.1; "
				+ "llcuda needs 7.5 (sm_75) or newer", failure.getMessage());
	}

	@Test
	void disabledGpuUsesTheCpuEvenWhenOneIsPresent() {
		DeviceSelection selection = DeviceSelector.select(new DeviceRequest(false, 0, false),
				new CudaInventory(List.of(T4), ""), List.of());
		assertTrue(selection.isCpu());
		assertEquals("the CPU, because the GPU is disabled (llcuda.gpu.enabled=false)", selection.reason());
	}

}
