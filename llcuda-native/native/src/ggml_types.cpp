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
    {LLCUDA_TYPE_Q4_1, "Q4_1", QK4_0, sizeof(BlockQ4_1)},
    {LLCUDA_TYPE_Q5_0, "Q5_0", QK4_0, sizeof(BlockQ5_0)},
    {LLCUDA_TYPE_Q5_1, "Q5_1", QK4_0, sizeof(BlockQ5_1)},
    {LLCUDA_TYPE_Q2_K, "Q2_K", QK_K, sizeof(BlockQ2_K)},
    {LLCUDA_TYPE_Q3_K, "Q3_K", QK_K, sizeof(BlockQ3_K)},
    {LLCUDA_TYPE_IQ4_NL, "IQ4_NL", QK4_NL, sizeof(BlockIQ4_NL)},
    {LLCUDA_TYPE_IQ4_XS, "IQ4_XS", QK_K, sizeof(BlockIQ4_XS)},
    {LLCUDA_TYPE_NF4, "NF4", QK_NF4, sizeof(BlockNF4)},
};

// ggml's names by type id, for messages about types the engine does not compute with.
constexpr const char *kGgmlNames[] = {
    "F32",    "F16",      "Q4_0",     "Q4_1",     "Q4_2",  "Q4_3",  "Q5_0",       "Q5_1",       "Q8_0",       "Q8_1",
    "Q2_K",   "Q3_K",     "Q4_K",     "Q5_K",     "Q6_K",  "Q8_K",  "IQ2_XXS",    "IQ2_XS",     "IQ3_XXS",    "IQ1_S",
    "IQ4_NL", "IQ3_S",    "IQ2_S",    "IQ4_XS",   "I8",    "I16",   "I32",        "I64",        "F64",        "IQ1_M",
    "BF16",   "Q4_0_4_4", "Q4_0_4_8", "Q4_0_8_8", "TQ1_0", "TQ2_0", "IQ4_NL_4_4", "IQ4_NL_4_8", "IQ4_NL_8_8", "MXFP4",
};
}  // namespace

const TypeTraits *type_traits(int32_t type) {
    for (const TypeTraits &t : kTraits) {
        if (t.type == type) return &t;
    }
    return nullptr;
}

std::string ggml_type_name(int32_t type) {
    const int32_t n = static_cast<int32_t>(sizeof kGgmlNames / sizeof kGgmlNames[0]);
    if (type == LLCUDA_TYPE_NF4) return type_traits(type)->name;  // llcuda's own id, beyond ggml's
    return type >= 0 && type < n ? kGgmlNames[type] : "type " + std::to_string(type);
}

uint64_t row_bytes(int32_t type, int64_t n_elements) {
    const TypeTraits *t = type_traits(type);
    if (t == nullptr) fail(LLCUDA_ERR_UNSUPPORTED, "unsupported tensor type " + ggml_type_name(type));
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
