#include <string>

#include "error.h"
#include "ggml_blocks.h"

namespace llcuda {

namespace {
constexpr TypeTraits kTraits[] = {
    {LLCUDA_TYPE_F32, "F32", 1, 4},
    {LLCUDA_TYPE_F16, "F16", 1, 2},
    {LLCUDA_TYPE_BF16, "BF16", 1, 2},
    {LLCUDA_TYPE_Q8_0, "Q8_0", QK8_0, sizeof(BlockQ8_0)},
    {LLCUDA_TYPE_Q4_0, "Q4_0", QK4_0, sizeof(BlockQ4_0)},
    {LLCUDA_TYPE_Q4_K, "Q4_K", QK_K, sizeof(BlockQ4_K)},
    {LLCUDA_TYPE_Q5_K, "Q5_K", QK_K, sizeof(BlockQ5_K)},
    {LLCUDA_TYPE_Q6_K, "Q6_K", QK_K, sizeof(BlockQ6_K)},
};
}  // namespace

const TypeTraits *type_traits(int32_t type) {
    for (const TypeTraits &t : kTraits) {
        if (t.type == type) return &t;
    }
    return nullptr;
}

uint64_t row_bytes(int32_t type, int64_t n_elements) {
    const TypeTraits *t = type_traits(type);
    if (t == nullptr) fail(LLCUDA_ERR_UNSUPPORTED, "unsupported tensor type " + std::to_string(type));
    if (n_elements < 0 || n_elements % t->block_size != 0) {
        fail(LLCUDA_ERR_INVALID_ARGUMENT, std::to_string(n_elements) + " elements are not a whole number of " +
                                              t->name + " blocks of " + std::to_string(t->block_size));
    }
    const uint64_t blocks = static_cast<uint64_t>(n_elements / t->block_size);
    if (blocks > UINT64_MAX / t->block_bytes) {
        fail(LLCUDA_ERR_INVALID_ARGUMENT, std::to_string(n_elements) + " elements of " + t->name + " overflow 64 bits");
    }
    return blocks * t->block_bytes;
}

}  // namespace llcuda
