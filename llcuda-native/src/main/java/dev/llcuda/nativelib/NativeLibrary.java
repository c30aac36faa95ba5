package dev.llcuda.nativelib;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.llcuda.model.ModelSpec;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The loaded libllcuda: where it came from, what it is, and the factory of backends.
 * {@link #load} verifies the file's SHA-256 before loading it and its ABI version after.
 */
public final class NativeLibrary {

	private static final int REASON_CAPACITY = 512;

	private final LlcudaLibrary api;

	private final Path path;

	private final String sha256;

	private final String buildInfo;

	private NativeLibrary(LlcudaLibrary api, Path path, String sha256, String buildInfo) {
		this.api = api;
		this.path = path;
		this.sha256 = sha256;
		this.buildInfo = buildInfo;
	}

	/**
	 * Installs (extracts or downloads, unless already cached), verifies and loads the
	 * library.
	 * @throws ChecksumMismatchException when the file is not the expected one (it is not
	 * loaded)
	 * @throws NativeLibraryException when it cannot be installed or loaded, or speaks
	 * another ABI
	 */
	public static NativeLibrary load(NativeLibraryOptions options) {
		LibraryInstaller.VerifiedLibrary library = LibraryInstaller.install(options);
		LlcudaLibrary api;
		int abiVersion;
		try {
			api = Native.load(library.path().toString(), LlcudaLibrary.class,
					Map.of(Library.OPTION_STRING_ENCODING, StandardCharsets.UTF_8.name()));
			abiVersion = api.llcuda_abi_version();
		}
		catch (UnsatisfiedLinkError e) {
			throw new NativeLibraryException("cannot load the native library " + library.path() + ": " + e.getMessage(),
					e);
		}
		if (abiVersion != LlcudaLibrary.ABI_VERSION) {
			throw new NativeLibraryException("native library " + library.path() + " has ABI version " + abiVersion
					+ " but this llcuda-native expects " + LlcudaLibrary.ABI_VERSION);
		}
		return new NativeLibrary(api, library.path(), library.sha256(), api.llcuda_build_info());
	}

	/** The file that was verified and loaded. */
	public Path path() {
		return path;
	}

	/** The SHA-256 the loaded file had when it was verified. */
	public String sha256() {
		return sha256;
	}

	/**
	 * The library's own description, e.g.
	 * {@code "llcuda 0.1.0 cpu=avx2 cuda=75,80,86,89,90"}.
	 */
	public String buildInfo() {
		return buildInfo;
	}

	public int abiVersion() {
		return LlcudaLibrary.ABI_VERSION;
	}

	public CudaDevices cudaDevices() {
		byte[] reason = new byte[REASON_CAPACITY];
		int count = api.llcuda_cuda_device_count(reason, reason.length);
		int length = 0;
		while (length < reason.length && reason[length] != 0) {
			length++;
		}
		return new CudaDevices(count, count > 0 ? "" : new String(reason, 0, length, StandardCharsets.UTF_8));
	}

	public DeviceInfo cudaDeviceInfo(int device) {
		LlcudaLibrary.DeviceInfoStruct info = new LlcudaLibrary.DeviceInfoStruct();
		NativeException.check(api.llcuda_cuda_device_info(device, info), api::llcuda_last_error);
		return DeviceInfo.of(info);
	}

	/** A CPU backend using {@code threads} threads ({@code <= 0}: all cores). */
	public Backend cpuBackend(int threads) {
		return createBackend(BackendKind.CPU, 0, threads);
	}

	public Backend cudaBackend(int device) {
		return createBackend(BackendKind.CUDA, device, 0);
	}

	/**
	 * Loads one model over several CUDA devices of this host (2 to 8 distinct ordinals):
	 * the native side checks {@code spec} against {@code gguf}, plans the split (tensor
	 * parallel, else layers per device) and opens the system's NCCL. This build has no
	 * multi-device execution: it refuses after those checks, naming NCCL when it is
	 * missing and otherwise the plan.
	 * @throws NativeException naming the file and what is missing
	 */
	public Model loadModelOnDevices(List<Integer> devices, Path gguf, ModelSpec spec) {
		int[] ordinals = devices.stream().mapToInt(Integer::intValue).toArray();
		NativeModelSpec nativeSpec = new NativeModelSpec(spec);
		PointerByReference out = new PointerByReference();
		try {
			NativeException.check(api.llcuda_model_load_on_devices(ordinals, ordinals.length,
					gguf.toAbsolutePath().toString(), nativeSpec.struct(), out), api::llcuda_last_error);
		}
		catch (NativeException e) {
			throw e.within("cannot load " + gguf + " over CUDA devices " + devices);
		}
		finally {
			Reference.reachabilityFence(nativeSpec);
		}
		return Model.loaded(api, out.getValue(), spec);
	}

	/**
	 * Quantizes {@code src} into {@code dst} in GGUF block layout; returns the bytes
	 * written.
	 */
	public long quantize(int type, float[] src, byte[] dst) {
		LongByReference written = new LongByReference();
		NativeException.check(api.llcuda_quantize(type, src, src.length, dst, dst.length, written),
				api::llcuda_last_error);
		return written.getValue();
	}

	/** Dequantizes {@code n} elements of GGUF block data (the reference path). */
	public float[] dequantize(int type, byte[] src, int n) {
		float[] dst = new float[n];
		NativeException.check(api.llcuda_dequantize(type, src, src.length, n, dst), api::llcuda_last_error);
		return dst;
	}

	private Backend createBackend(BackendKind kind, int device, int threads) {
		PointerByReference out = new PointerByReference();
		NativeException.check(api.llcuda_backend_create(kind.code(), device, threads, out), api::llcuda_last_error);
		return new Backend(api, out.getValue());
	}

}
