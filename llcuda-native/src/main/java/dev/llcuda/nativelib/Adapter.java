package dev.llcuda.nativelib;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;

/**
 * A LoRA adapter resident beside its model ({@link Model#loadAdapter}); steps run a
 * sequence with it when {@link Batch#adapter} says so. The native adapter keeps its model
 * alive.
 */
public final class Adapter extends NativeHandle {

	private final long bytes;

	Adapter(LlcudaLibrary api, Pointer handle) {
		super(api, handle, "adapter");
		LongByReference out = new LongByReference();
		check(api.llcuda_adapter_bytes(handle, out));
		this.bytes = out.getValue();
	}

	/** Bytes of backend memory the adapter's tensors occupy. */
	public long bytes() {
		return bytes;
	}

	@Override
	String lastError(Pointer handle) {
		return api.llcuda_adapter_last_error(handle);
	}

	@Override
	void free(Pointer handle) {
		api.llcuda_adapter_free(handle);
	}

}
