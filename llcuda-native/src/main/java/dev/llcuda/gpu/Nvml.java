package dev.llcuda.gpu;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * NVML, opened once: the devices it lists and fresh readings of one of them. Thread-safe
 * (NVML is). {@link #close()} shuts NVML down.
 */
public final class Nvml implements AutoCloseable {

	private final NvmlLibrary library;

	private final List<NvmlDevice> devices;

	private final List<Pointer> handles;

	private Nvml(NvmlLibrary library, List<NvmlDevice> devices, List<Pointer> handles) {
		this.library = library;
		this.devices = List.copyOf(devices);
		this.handles = List.copyOf(handles);
	}

	/**
	 * Opens NVML when the driver's {@code libnvidia-ml.so.1} is present and initializes;
	 * otherwise empty with the reason in {@code whyNot}.
	 */
	public static Optional<Nvml> open(StringBuilder whyNot) {
		NvmlLibrary library;
		try {
			library = Native.load(NvmlLibrary.SONAME, NvmlLibrary.class);
		}
		catch (UnsatisfiedLinkError e) {
			whyNot.append(NvmlLibrary.SONAME).append(" not found (no NVIDIA driver)");
			return Optional.empty();
		}
		int status = library.nvmlInit_v2();
		if (status != NvmlLibrary.SUCCESS) {
			whyNot.append("nvmlInit failed: ").append(library.nvmlErrorString(status));
			return Optional.empty();
		}
		try {
			return Optional.of(enumerate(library));
		}
		catch (NvmlException e) {
			library.nvmlShutdown();
			whyNot.append(e.getMessage());
			return Optional.empty();
		}
	}

	private static Nvml enumerate(NvmlLibrary library) {
		byte[] driver = new byte[NvmlLibrary.DRIVER_VERSION_BUFFER];
		check(library, library.nvmlSystemGetDriverVersion(driver, driver.length), "nvmlSystemGetDriverVersion");
		IntByReference count = new IntByReference();
		check(library, library.nvmlDeviceGetCount_v2(count), "nvmlDeviceGetCount");
		List<NvmlDevice> devices = new ArrayList<>();
		List<Pointer> handles = new ArrayList<>();
		for (int index = 0; index < count.getValue(); index++) {
			PointerByReference handle = new PointerByReference();
			check(library, library.nvmlDeviceGetHandleByIndex_v2(index, handle), "nvmlDeviceGetHandleByIndex");
			Pointer device = handle.getValue();
			byte[] name = new byte[NvmlLibrary.NAME_BUFFER];
			check(library, library.nvmlDeviceGetName(device, name, name.length), "nvmlDeviceGetName");
			byte[] uuid = new byte[NvmlLibrary.UUID_BUFFER];
			check(library, library.nvmlDeviceGetUUID(device, uuid, uuid.length), "nvmlDeviceGetUUID");
			IntByReference major = new IntByReference();
			IntByReference minor = new IntByReference();
			check(library, library.nvmlDeviceGetCudaComputeCapability(device, major, minor),
					"nvmlDeviceGetCudaComputeCapability");
			NvmlLibrary.Memory memory = new NvmlLibrary.Memory();
			check(library, library.nvmlDeviceGetMemoryInfo(device, memory), "nvmlDeviceGetMemoryInfo");
			devices.add(new NvmlDevice(index, cString(name), cString(uuid),
					new ComputeCapability(major.getValue(), minor.getValue()), memory.total, cString(driver)));
			handles.add(device);
		}
		return new Nvml(library, devices, handles);
	}

	public List<NvmlDevice> devices() {
		return this.devices;
	}

	/** The device with this UUID (NVML and CUDA may number devices differently). */
	public Optional<NvmlDevice> deviceByUuid(String uuid) {
		return this.devices.stream().filter(device -> device.uuid().equals(uuid)).findFirst();
	}

	/** Fresh readings of the device at this NVML index; unsupported readings are NaN. */
	public GpuSample sample(int index) {
		Pointer device = this.handles.get(index);
		NvmlLibrary.Memory memory = new NvmlLibrary.Memory();
		boolean hasMemory = this.library.nvmlDeviceGetMemoryInfo(device, memory) == NvmlLibrary.SUCCESS;
		NvmlLibrary.Utilization utilization = new NvmlLibrary.Utilization();
		boolean hasUtilization = this.library.nvmlDeviceGetUtilizationRates(device, utilization) == NvmlLibrary.SUCCESS;
		IntByReference celsius = new IntByReference();
		boolean hasTemperature = this.library.nvmlDeviceGetTemperature(device, NvmlLibrary.TEMPERATURE_GPU,
				celsius) == NvmlLibrary.SUCCESS;
		IntByReference milliwatts = new IntByReference();
		boolean hasPower = this.library.nvmlDeviceGetPowerUsage(device, milliwatts) == NvmlLibrary.SUCCESS;
		return new GpuSample(hasUtilization ? utilization.gpu : Double.NaN, hasMemory ? memory.used : Double.NaN,
				hasMemory ? memory.total : Double.NaN, hasTemperature ? celsius.getValue() : Double.NaN,
				hasPower ? milliwatts.getValue() / 1000.0 : Double.NaN);
	}

	@Override
	public void close() {
		this.library.nvmlShutdown();
	}

	private static void check(NvmlLibrary library, int status, String function) {
		if (status != NvmlLibrary.SUCCESS) {
			throw new NvmlException(function + " failed: " + library.nvmlErrorString(status));
		}
	}

	private static String cString(byte[] bytes) {
		int length = 0;
		while (length < bytes.length && bytes[length] != 0) {
			length++;
		}
		return new String(bytes, 0, length, StandardCharsets.UTF_8);
	}

	/** An NVML call failed while listing devices. */
	static final class NvmlException extends RuntimeException {

		NvmlException(String message) {
			super(message);
		}

	}

}
