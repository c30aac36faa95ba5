#include "nccl_library.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "error.h"

namespace llcuda {

namespace {

constexpr const char *kLibrary = "libnccl.so.2";
constexpr const char *kInstall =
    "install NCCL 2 for your CUDA version (Debian/Ubuntu: apt-get install libnccl2 from NVIDIA's CUDA "
    "repository; or pip install nvidia-nccl-cu12 and add its lib folder to LD_LIBRARY_PATH)";

template <typename Fn>
void resolve(void *handle, const char *symbol, Fn &target) {
    void *address = dlsym(handle, symbol);
    if (address == nullptr) {
        fail(LLCUDA_ERR_UNSUPPORTED, std::string(kLibrary) + " lacks " + symbol + ": " + kInstall);
    }
    target = reinterpret_cast<Fn>(address);
}

NcclFunctions open_nccl() {
    void *handle = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char *why = dlerror();
        fail(LLCUDA_ERR_UNSUPPORTED, std::string("several devices need NCCL, but ") + kLibrary + " was not found (" +
                                         (why != nullptr ? why : "dlopen failed") + "): " + kInstall);
    }
    NcclFunctions f;
    resolve(handle, "ncclGetVersion", f.get_version);
    resolve(handle, "ncclGetErrorString", f.get_error_string);
    resolve(handle, "ncclCommInitAll", f.comm_init_all);
    resolve(handle, "ncclCommDestroy", f.comm_destroy);
    resolve(handle, "ncclAllReduce", f.all_reduce);
    resolve(handle, "ncclGroupStart", f.group_start);
    resolve(handle, "ncclGroupEnd", f.group_end);
    const NcclFunctions::Result result = f.get_version(&f.version);
    if (result != 0) {
        fail(LLCUDA_ERR_UNSUPPORTED, std::string(kLibrary) + ": ncclGetVersion failed: " + f.get_error_string(result));
    }
    return f;  // the handle stays open for the process: the functions point into it
}

}  // namespace

const NcclFunctions &nccl() {
    static std::mutex mutex;
    static NcclFunctions functions;
    static bool opened = false;
    const std::lock_guard<std::mutex> lock(mutex);
    if (!opened) {
        functions = open_nccl();  // a failure is thrown each time: NCCL may be installed later
        opened = true;
    }
    return functions;
}

}  // namespace llcuda
