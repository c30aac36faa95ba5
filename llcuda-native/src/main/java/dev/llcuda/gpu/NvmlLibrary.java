package dev.llcuda.gpu;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The few NVML functions llcuda reads (nvml.h, NVML API version 11+). Every function
 * returns an {@code nvmlReturn_t}: 0 is success, {@link #NOT_SUPPORTED} means the device
 * cannot report it.
 */
interface NvmlLibrary extends Library {

	/**
	 * The soname the NVIDIA driver installs (the unversioned name comes only with dev
	 * packages).
	 */
	String SONAME = "libnvidia-ml.so.1";

	int SUCCESS = 0;

	int NOT_SUPPORTED = 3;

	/** {@code NVML_TEMPERATURE_GPU}: the die sensor. */
	int TEMPERATURE_GPU = 0;

	/** Buffer sizes nvml.h recommends ({@code NVML_DEVICE_NAME_V2_BUFFER_SIZE} etc.). */
	int NAME_BUFFER = 96;

	int UUID_BUFFER = 96;

	int DRIVER_VERSION_BUFFER = 80;

	int nvmlInit_v2();

	int nvmlShutdown();

	String nvmlErrorString(int result);

	int nvmlSystemGetDriverVersion(byte[] version, int length);

	int nvmlDeviceGetCount_v2(IntByReference count);

	int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

	int nvmlDeviceGetName(Pointer device, byte[] name, int length);

	int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

	int nvmlDeviceGetCudaComputeCapability(Pointer device, IntByReference major, IntByReference minor);

	int nvmlDeviceGetMemoryInfo(Pointer device, Memory memory);

	int nvmlDeviceGetUtilizationRates(Pointer device, Utilization utilization);

	int nvmlDeviceGetTemperature(Pointer device, int sensor, IntByReference celsius);

	int nvmlDeviceGetPowerUsage(Pointer device, IntByReference milliwatts);

	/** {@code nvmlMemory_t}: bytes. */
	@Structure.FieldOrder({ "total", "free", "used" })
	class Memory extends Structure {

		public long total;

		public long free;

		public long used;

	}

	/** {@code nvmlUtilization_t}: percent over the driver's last sample period. */
	@Structure.FieldOrder({ "gpu", "memory" })
	class Utilization extends Structure {

		public int gpu;

		public int memory;

	}

}
