// Linked instead of the CUDA backend when the library is built without nvcc.
#include "backend.h"
#include "error.h"

namespace llcuda {

std::unique_ptr<Backend> create_cuda_backend(int32_t device) {
    fail(LLCUDA_ERR_UNSUPPORTED,
         "CUDA device " + std::to_string(device) + " requested, but this libllcuda.so was built without CUDA");
}

int32_t cuda_device_count(std::string &reason) {
    reason = "this libllcuda.so was built without CUDA (no nvcc at build time)";
    return 0;
}

llcuda_device_info cuda_device_info(int32_t device) {
    fail(LLCUDA_ERR_UNSUPPORTED,
         "no CUDA device " + std::to_string(device) + ": this libllcuda.so was built without CUDA");
}

}  // namespace llcuda
