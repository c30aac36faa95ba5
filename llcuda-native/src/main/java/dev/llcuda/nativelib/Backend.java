package dev.llcuda.nativelib;

import com.sun.jna.Pointer;

/** A backend handle: the CPU or one CUDA device. Models loaded on it keep it alive natively. */
public final class Backend extends NativeHandle {

    Backend(LlcudaLibrary api, Pointer handle) {
        super(api, handle, "backend");
    }

    public DeviceInfo info() {
        LlcudaLibrary.DeviceInfoStruct info = new LlcudaLibrary.DeviceInfoStruct();
        check(api.llcuda_backend_info(pointer(), info));
        return DeviceInfo.of(info);
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
