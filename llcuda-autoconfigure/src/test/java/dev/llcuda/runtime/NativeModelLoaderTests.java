package dev.llcuda.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import dev.llcuda.engine.EngineListener;
import dev.llcuda.engine.KvType;
import dev.llcuda.engine.LoadListener;
import dev.llcuda.gpu.ComputeCapability;
import dev.llcuda.gpu.CudaDevice;
import dev.llcuda.gpu.DeviceProfile;
import dev.llcuda.gpu.DeviceSelection;
import dev.llcuda.hf.ConvertedModelCache;
import dev.llcuda.nativelib.NativeException;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import org.junit.jupiter.api.Test;

/**
 * A chat model over several devices goes through the native plan and NCCL check with the
 * real library and is refused naming what is missing, never served from one device.
 */
class NativeModelLoaderTests {

	private static final long GIB = 1L << 30;

	@Test
	void aModelOverTwoDevicesIsRefusedNamingNcclOrThePlan() {
		CudaDevice first = new CudaDevice(0, "Tesla T4", "GPU-a", new ComputeCapability(7, 5), 40, 12040, 15 * GIB,
				14 * GIB);
		CudaDevice second = new CudaDevice(1, "Tesla T4", "GPU-b", new ComputeCapability(7, 5), 40, 12040, 15 * GIB,
				14 * GIB);
		DeviceSelection twoT4 = new DeviceSelection(first, null, DeviceProfile.teslaT4(), "two T4s",
				List.of(first, second));
		NativeModelLoader loader = new NativeModelLoader(NativeLibrary.load(NativeLibraryOptions.defaults()), twoT4,
				new EngineLimits(2, 64, 4, 16, KvType.F16, 16, 1 << 20, 2), EngineListener.NONE, 0,
				ConvertedModelCache.defaultFolder(), Optional.empty(), List.of(), List.of());

		assertThatThrownBy(() -> loader.load(TestServing.MICRO_LLAMA, LoadListener.NONE))
			.isInstanceOf(NativeException.class)
			.satisfies(refusal -> assertThat(refusal.getMessage())
				.contains("cannot load " + TestServing.MICRO_LLAMA + " over CUDA devices [0, 1]: ")
				.satisfiesAnyOf(message -> assertThat(message).contains("libnccl.so.2 was not found", "install NCCL"),
						message -> assertThat(message)
							.contains("execution over 2 devices is not available in this build; plan: ")));
	}

}
