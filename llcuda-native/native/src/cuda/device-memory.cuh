// Owned device and pinned host allocations. Every device allocation first compares its size with
// the free memory and fails with LLCUDA_ERR_OUT_OF_MEMORY naming both, never a crash.
#pragma once

#include <cstddef>
#include <string>

#include "common.cuh"

namespace llcuda::cuda {

class DeviceBuffer {
public:
    DeviceBuffer() = default;
    // `what` names the allocation in the out-of-memory message ("weights of model.gguf").
    DeviceBuffer(size_t bytes, const std::string &what);
    ~DeviceBuffer();
    DeviceBuffer(DeviceBuffer &&other) noexcept;
    DeviceBuffer &operator=(DeviceBuffer &&other) noexcept;
    DeviceBuffer(const DeviceBuffer &) = delete;
    DeviceBuffer &operator=(const DeviceBuffer &) = delete;

    void *get() const { return ptr_; }
    template <typename T>
    T *as() const { return static_cast<T *>(ptr_); }
    size_t size() const { return bytes_; }

private:
    void *ptr_ = nullptr;
    size_t bytes_ = 0;
};

class PinnedBuffer {
public:
    PinnedBuffer() = default;
    explicit PinnedBuffer(size_t bytes);
    ~PinnedBuffer();
    PinnedBuffer(PinnedBuffer &&other) noexcept;
    PinnedBuffer &operator=(PinnedBuffer &&other) noexcept;
    PinnedBuffer(const PinnedBuffer &) = delete;
    PinnedBuffer &operator=(const PinnedBuffer &) = delete;

    template <typename T>
    T *as() const { return static_cast<T *>(ptr_); }
    size_t size() const { return bytes_; }

private:
    void *ptr_ = nullptr;
    size_t bytes_ = 0;
};

// "1.50 GiB (1610612736 bytes)"
std::string describe_bytes(size_t bytes);

}  // namespace llcuda::cuda
