#include "device-memory.cuh"

#include <cstdio>

namespace llcuda::cuda {

std::string describe_bytes(size_t bytes) {
    char text[96];
    std::snprintf(text, sizeof(text), "%.2f GiB (%zu bytes)", bytes / (1024.0 * 1024.0 * 1024.0), bytes);
    return text;
}

DeviceBuffer::DeviceBuffer(size_t bytes, const std::string &what) {
    bytes_ = bytes;
    if (bytes == 0) return;
    size_t free_bytes = 0, total_bytes = 0;
    LLCUDA_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    const std::string shortage = what + " needs " + describe_bytes(bytes) + " of GPU memory, but only " +
                                 describe_bytes(free_bytes) + " of " + describe_bytes(total_bytes) + " are free";
    if (bytes > free_bytes) fail(LLCUDA_ERR_OUT_OF_MEMORY, shortage);
    const cudaError_t err = cudaMalloc(&ptr_, bytes);
    if (err != cudaSuccess) ptr_ = nullptr;  // the base destructor runs when this constructor throws
    if (err == cudaErrorMemoryAllocation) {
        cudaGetLastError();  // clear the sticky allocation error
        fail(LLCUDA_ERR_OUT_OF_MEMORY, shortage + " (allocation refused)");
    }
    LLCUDA_CUDA_CHECK(err);
}

PinnedBuffer::PinnedBuffer(size_t bytes) {
    bytes_ = bytes;
    if (bytes == 0) return;
    const cudaError_t err = cudaMallocHost(&ptr_, bytes);
    if (err != cudaSuccess) ptr_ = nullptr;  // the base destructor runs when this constructor throws
    if (err == cudaErrorMemoryAllocation) {
        cudaGetLastError();
        fail(LLCUDA_ERR_OUT_OF_MEMORY, "pinned host buffer of " + describe_bytes(bytes) + " refused");
    }
    LLCUDA_CUDA_CHECK(err);
}

}  // namespace llcuda::cuda
