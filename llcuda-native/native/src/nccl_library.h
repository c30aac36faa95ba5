// NCCL, taken from the system at run time: libllcuda.so does not link it, so the library loads and
// runs on one device (or the CPU) where NCCL is absent; it is opened only when a model is spread
// over several devices. Declares the few entry points tensor parallelism needs, with NCCL's C
// types reduced to what crosses them (no NCCL headers at build time).
#pragma once

#include <cstddef>

namespace llcuda {

struct NcclFunctions {
    using Comm = struct ncclComm *;
    using Result = int;  // ncclResult_t: 0 is ncclSuccess
    Result (*get_version)(int *version) = nullptr;
    const char *(*get_error_string)(Result result) = nullptr;
    Result (*comm_init_all)(Comm *comms, int n_devices, const int *devices) = nullptr;
    Result (*comm_destroy)(Comm comm) = nullptr;
    Result (*all_reduce)(const void *send, void *recv, size_t count, int data_type, int op, Comm comm,
                         void *stream) = nullptr;
    Result (*group_start)() = nullptr;
    Result (*group_end)() = nullptr;
    int version = 0;  // NCCL_VERSION_CODE of the library found, e.g. 22105 for 2.21.5
};

// The system's NCCL, opened on the first call and kept for the process. Throws
// llcuda::Error(LLCUDA_ERR_UNSUPPORTED) naming libnccl.so.2 and how to install it when it is
// missing or lacks one of the entry points.
const NcclFunctions &nccl();

}  // namespace llcuda
