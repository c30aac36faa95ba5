#include "cpu/kv_cache.h"

#include <new>
#include <string>

#include "error.h"

namespace llcuda {

uint64_t CpuKvCache::bytes(const ModelSpec &spec, int32_t n_blocks, int32_t block_size) {
    // Each factor is bounded (layers <= 4096, slots <= 2^30, kv_dim <= 2^20) but the product
    // may not fit: check it.
    const uint64_t slots = static_cast<uint64_t>(n_blocks) * static_cast<uint64_t>(block_size);
    uint64_t total = 0;
    if (__builtin_mul_overflow(slots, static_cast<uint64_t>(spec.kv_dim()) * sizeof(float) * 2 * spec.n_layer,
                               &total)) {
        fail(LLCUDA_ERR_OUT_OF_MEMORY,
             "a KV cache of " + std::to_string(slots) + " slots does not fit in 64-bit sizes");
    }
    return total;
}

CpuKvCache::CpuKvCache(const ModelSpec &spec, int32_t n_blocks, int32_t block_size)
    : n_blocks_(n_blocks),
      block_size_(block_size),
      kv_dim_(spec.kv_dim()),
      slots_(static_cast<int64_t>(n_blocks) * block_size) {
    const uint64_t total = bytes(spec, n_blocks, block_size);
    data_.reset(new (std::nothrow) float[total / sizeof(float)]);
    if (!data_) {
        fail(LLCUDA_ERR_OUT_OF_MEMORY, "cannot allocate a CPU KV cache of " + std::to_string(total) + " bytes (" +
                                           std::to_string(n_blocks) + " blocks of " + std::to_string(block_size) +
                                           " positions)");
    }
}

}  // namespace llcuda
