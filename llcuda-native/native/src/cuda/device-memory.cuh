// Owned device and pinned host allocations. Every device allocation first compares its size with
// the free memory and fails with LLCUDA_ERR_OUT_OF_MEMORY naming both, never a crash.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "common.cuh"

namespace llcuda::cuda {

// Sole owner of one allocation that `Release` frees; movable, not copyable. Release errors cannot
// be reported (the context may be gone), so they are ignored.
template <cudaError_t (*Release)(void *)>
class OwnedAllocation {
  public:
    OwnedAllocation() = default;
    ~OwnedAllocation() {
        if (ptr_) Release(ptr_);
    }
    OwnedAllocation(OwnedAllocation &&other) noexcept
        : ptr_(std::exchange(other.ptr_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
    OwnedAllocation &operator=(OwnedAllocation &&other) noexcept {
        if (this != &other) {
            if (ptr_) Release(ptr_);
            ptr_ = std::exchange(other.ptr_, nullptr);
            bytes_ = std::exchange(other.bytes_, 0);
        }
        return *this;
    }
    OwnedAllocation(const OwnedAllocation &) = delete;
    OwnedAllocation &operator=(const OwnedAllocation &) = delete;

    void *get() const { return ptr_; }
    template <typename T>
    T *as() const {
        return static_cast<T *>(ptr_);
    }
    size_t size() const { return bytes_; }

  protected:
    void *ptr_ = nullptr;
    size_t bytes_ = 0;
};

class DeviceBuffer : public OwnedAllocation<cudaFree> {
  public:
    DeviceBuffer() = default;
    // `what` names the allocation in the out-of-memory message ("weights of model.gguf").
    DeviceBuffer(size_t bytes, const std::string &what);
};

class PinnedBuffer : public OwnedAllocation<cudaFreeHost> {
  public:
    PinnedBuffer() = default;
    explicit PinnedBuffer(size_t bytes);
};

// "1.50 GiB (1610612736 bytes)"
std::string describe_bytes(size_t bytes);

}  // namespace llcuda::cuda
