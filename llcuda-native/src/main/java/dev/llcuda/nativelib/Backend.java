package dev.llcuda.nativelib;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import dev.llcuda.model.ModelSpec;
import java.lang.ref.Reference;
import java.nio.file.Path;

/**
 * A backend handle: the CPU or one CUDA device. Models loaded on it keep it alive
 * natively.
 */
public final class Backend extends NativeHandle {

	Backend(LlcudaLibrary api, Pointer handle) {
		super(api, handle, "backend");
	}

	public DeviceInfo info() {
		LlcudaLibrary.DeviceInfoStruct info = new LlcudaLibrary.DeviceInfoStruct();
		check(api.llcuda_backend_info(pointer(), info));
		return DeviceInfo.of(info);
	}

	/**
	 * Has the native side re-check {@code spec} (read from {@code gguf}) against the file
	 * and copy the weights into memory the model owns on this backend; a refusal names
	 * the file.
	 */
	public Model loadModel(Path gguf, ModelSpec spec) {
		return loadModel(gguf, spec, WeightsProgress.NONE);
	}

	/**
	 * {@link #loadModel(Path, ModelSpec)}, telling {@code progress} how many bytes of
	 * weights were copied so far.
	 */
	public Model loadModel(Path gguf, ModelSpec spec, WeightsProgress progress) {
		NativeModelSpec nativeSpec = new NativeModelSpec(spec);
		PointerByReference out = new PointerByReference();
		LlcudaLibrary.LoadProgressCallback callback = (done, total, userData) -> progress.copied(done, total);
		try {
			check(api.llcuda_model_load_with_progress(pointer(), gguf.toAbsolutePath().toString(), nativeSpec.struct(),
					callback, null, out));
		}
		catch (NativeException e) {
			throw e.within("cannot load " + gguf);
		}
		finally {
			Reference.reachabilityFence(nativeSpec);
			Reference.reachabilityFence(callback);
		}
		return Model.loaded(api, out.getValue(), spec);
	}

	@Override
	String lastError(Pointer handle) {
		return api.llcuda_backend_last_error(handle);
	}

	@Override
	void free(Pointer handle) {
		api.llcuda_backend_free(handle);
	}

}
