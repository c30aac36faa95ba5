// The CPU's paged KV cache: for every layer, K and V of n_blocks * block_size slots, stored as
// F32 so the CPU backend stays an exact reference (a caller asking for F16 gets F32 storage;
// kv_cache_bytes reports the real size).
#pragma once

#include <cstdint>
#include <memory>

#include "backend.h"
#include "model_spec.h"

namespace llcuda {

class CpuKvCache final : public BackendKvCache {
  public:
    // Throws LLCUDA_ERR_OUT_OF_MEMORY naming the size when the host cannot hold it.
    CpuKvCache(const ModelSpec &spec, int32_t n_blocks, int32_t block_size);
    static uint64_t bytes(const ModelSpec &spec, int32_t n_blocks, int32_t block_size);

    int32_t n_blocks() const override { return n_blocks_; }
    int32_t block_size() const override { return block_size_; }
    // K or V vector (kv_dim floats) of `layer` at cache slot `slot` = block * block_size + offset.
    float *k(int32_t layer, int64_t slot) { return data_.get() + offset(layer, 0, slot); }
    float *v(int32_t layer, int64_t slot) { return data_.get() + offset(layer, 1, slot); }
    // Slot of position `pos` of a sequence with block table `blocks`.
    int64_t slot(const int32_t *blocks, int32_t pos) const {
        return static_cast<int64_t>(blocks[pos / block_size_]) * block_size_ + pos % block_size_;
    }

  private:
    int64_t offset(int32_t layer, int kv, int64_t slot) const {
        return ((static_cast<int64_t>(layer) * 2 + kv) * slots_ + slot) * kv_dim_;
    }
    int32_t n_blocks_, block_size_, kv_dim_;
    int64_t slots_;
    std::unique_ptr<float[]> data_;
};

}  // namespace llcuda
