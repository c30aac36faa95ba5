#include "device-memory.cuh"

#include <cstdio>
#include <utility>

namespace llcuda::cuda {

std::string describe_bytes(size_t bytes) {
    char text[96];
    std::snprintf(text, sizeof(text), "%.2f GiB (%zu bytes)", bytes / (1024.0 * 1024.0 * 1024.0), bytes);
    return text;
}

DeviceBuffer::DeviceBuffer(size_t bytes, const std::string &what) : bytes_(bytes) {
    if (bytes == 0) return;
    size_t free_bytes = 0, total_bytes = 0;
    LLCUDA_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    const std::string shortage = what + " needs " + describe_bytes(bytes) + " of GPU memory, but only " +
                                 describe_bytes(free_bytes) + " of " + describe_bytes(total_bytes) +
                                 " are free";
    if (bytes > free_bytes) fail(LLCUDA_ERR_OUT_OF_MEMORY, shortage);
    const cudaError_t err = cudaMalloc(&ptr_, bytes);
    if (err == cudaErrorMemoryAllocation) {
        cudaGetLastError();  // clear the sticky allocation error
        ptr_ = nullptr;
        fail(LLCUDA_ERR_OUT_OF_MEMORY, shortage + " (allocation refused)");
    }
    LLCUDA_CUDA_CHECK(err);
}

DeviceBuffer::~DeviceBuffer() {
    if (ptr_) cudaFree(ptr_);  // errors here cannot be reported; the context may be gone
}

DeviceBuffer::DeviceBuffer(DeviceBuffer &&other) noexcept
    : ptr_(std::exchange(other.ptr_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

DeviceBuffer &DeviceBuffer::operator=(DeviceBuffer &&other) noexcept {
    if (this != &other) {
        if (ptr_) cudaFree(ptr_);
        ptr_ = std::exchange(other.ptr_, nullptr);
        bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
}

PinnedBuffer::PinnedBuffer(size_t bytes) : bytes_(bytes) {
    if (bytes == 0) return;
    const cudaError_t err = cudaMallocHost(&ptr_, bytes);
    if (err == cudaErrorMemoryAllocation) {
        cudaGetLastError();
        ptr_ = nullptr;
        fail(LLCUDA_ERR_OUT_OF_MEMORY, "pinned host buffer of " + describe_bytes(bytes) + " refused");
    }
    LLCUDA_CUDA_CHECK(err);
}

PinnedBuffer::~PinnedBuffer() {
    if (ptr_) cudaFreeHost(ptr_);
}

PinnedBuffer::PinnedBuffer(PinnedBuffer &&other) noexcept
    : ptr_(std::exchange(other.ptr_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

PinnedBuffer &PinnedBuffer::operator=(PinnedBuffer &&other) noexcept {
    if (this != &other) {
        if (ptr_) cudaFreeHost(ptr_);
        ptr_ = std::exchange(other.ptr_, nullptr);
        bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
}

}  // namespace llcuda::cuda
