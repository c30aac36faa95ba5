#include "quant-mix.h"

#include "ggml_blocks.h"
#include "llcuda.h"

namespace llcuda::tools {

namespace {

// llama_ftype values of the mixes.
enum FileType : uint32_t {
    kF32 = 0,
    kF16 = 1,
    kQ4_0 = 2,
    kQ4_1 = 3,
    kQ8_0 = 7,
    kQ5_0 = 8,
    kQ5_1 = 9,
    kQ2_K = 10,
    kQ3_K_S = 11,
    kQ3_K_M = 12,
    kQ3_K_L = 13,
    kQ4_K_S = 14,
    kQ4_K_M = 15,
    kQ5_K_S = 16,
    kQ5_K_M = 17,
    kQ6_K = 18,
    kIQ4_NL = 25,
    kIQ4_XS = 30,
    kNF4 = 100,  // llcuda's own, like its tensor type id: llama_ftype has no NF4
};

constexpr QuantMix kMixes[] = {
    {"F32", LLCUDA_TYPE_F32, kF32},          {"F16", LLCUDA_TYPE_F16, kF16},
    {"Q4_0", LLCUDA_TYPE_Q4_0, kQ4_0},       {"Q4_1", LLCUDA_TYPE_Q4_1, kQ4_1},
    {"Q5_0", LLCUDA_TYPE_Q5_0, kQ5_0},       {"Q5_1", LLCUDA_TYPE_Q5_1, kQ5_1},
    {"Q8_0", LLCUDA_TYPE_Q8_0, kQ8_0},       {"Q2_K", LLCUDA_TYPE_Q2_K, kQ2_K},
    {"Q3_K_S", LLCUDA_TYPE_Q3_K, kQ3_K_S},   {"Q3_K_M", LLCUDA_TYPE_Q3_K, kQ3_K_M},
    {"Q3_K_L", LLCUDA_TYPE_Q3_K, kQ3_K_L},   {"Q4_K_S", LLCUDA_TYPE_Q4_K, kQ4_K_S},
    {"Q4_K_M", LLCUDA_TYPE_Q4_K, kQ4_K_M},   {"Q5_K_S", LLCUDA_TYPE_Q5_K, kQ5_K_S},
    {"Q5_K_M", LLCUDA_TYPE_Q5_K, kQ5_K_M},   {"Q6_K", LLCUDA_TYPE_Q6_K, kQ6_K},
    {"IQ4_NL", LLCUDA_TYPE_IQ4_NL, kIQ4_NL}, {"IQ4_XS", LLCUDA_TYPE_IQ4_XS, kIQ4_XS},
    {"NF4", LLCUDA_TYPE_NF4, kNF4},
};

bool has(const std::string &name, const char *part) {
    return name.find(part) != std::string::npos;
}

bool use_more_bits(int i, int n) {
    return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

bool fits(int32_t type, int64_t row_length) {
    return row_length % type_traits(type)->block_size == 0;
}

// The rules by tensor role, before the row-length fallback.
int32_t chosen_type(const QuantMix &mix, const TensorSlot &t) {
    const uint32_t f = mix.file_type;
    const int i = t.layer, n = t.n_layer;
    if (t.name == "output.weight") {
        if (!fits(mix.base, t.row_length)) return LLCUDA_TYPE_Q8_0;
        return mix.base == LLCUDA_TYPE_Q8_0 ? LLCUDA_TYPE_Q8_0 : LLCUDA_TYPE_Q6_K;
    }
    // "for the 8-expert model, bumping this to Q8_0 trades just ~128MB" (llama-quantize, K-quant mixes)
    if (t.n_expert == 8 && (has(t.name, "attn_v.weight") || has(t.name, "attn_k.weight"))) return LLCUDA_TYPE_Q8_0;
    if (has(t.name, "attn_v.weight")) {
        if (f == kQ2_K) return t.n_gqa >= 4 ? LLCUDA_TYPE_Q4_K : LLCUDA_TYPE_Q3_K;
        if (f == kQ3_K_M) return i < 2 ? LLCUDA_TYPE_Q5_K : LLCUDA_TYPE_Q4_K;
        if (f == kQ3_K_L) return LLCUDA_TYPE_Q5_K;
        if ((f == kIQ4_NL || f == kIQ4_XS) && t.n_gqa >= 4) return LLCUDA_TYPE_Q5_K;
        if ((f == kQ4_K_M || f == kQ5_K_M) && use_more_bits(i, n)) return LLCUDA_TYPE_Q6_K;
        if (f == kQ4_K_S && i < 4) return LLCUDA_TYPE_Q5_K;
        return mix.base;
    }
    if (has(t.name, "ffn_down")) {
        if (f == kQ2_K) return LLCUDA_TYPE_Q3_K;
        if (f == kQ3_K_M) return i < n / 16 ? LLCUDA_TYPE_Q5_K : LLCUDA_TYPE_Q4_K;
        if (f == kQ3_K_L) return LLCUDA_TYPE_Q5_K;
        if (f == kQ4_K_M) return use_more_bits(i, n) ? LLCUDA_TYPE_Q6_K : mix.base;
        if ((f == kIQ4_NL || f == kIQ4_XS) && i < n / 8) return LLCUDA_TYPE_Q5_K;
        if (f == kQ5_K_M && use_more_bits(i, n)) return LLCUDA_TYPE_Q6_K;
        if (f == kQ4_K_S && i < n / 8) return LLCUDA_TYPE_Q5_K;
        return mix.base;
    }
    if (has(t.name, "attn_qkv.weight")) {  // phi3's fused projection
        if (f == kQ3_K_M || f == kQ3_K_L) return LLCUDA_TYPE_Q4_K;
        if (f == kQ4_K_M) return LLCUDA_TYPE_Q5_K;
        if (f == kQ5_K_M) return LLCUDA_TYPE_Q6_K;
        return mix.base;
    }
    if (has(t.name, "attn_output.weight")) {
        if (f == kQ2_K) return LLCUDA_TYPE_Q3_K;
        if (f == kQ3_K_M) return LLCUDA_TYPE_Q4_K;
        if (f == kQ3_K_L) return LLCUDA_TYPE_Q5_K;
    }
    return mix.base;
}

}  // namespace

const QuantMix *find_quant_mix(const std::string &name) {
    for (const QuantMix &m : kMixes) {
        if (name == m.name) return &m;
    }
    return nullptr;
}

std::string quant_mix_names() {
    std::string out;
    for (const QuantMix &m : kMixes) out += (out.empty() ? "" : "|") + std::string(m.name);
    return out;
}

int32_t quant_mix_type(const QuantMix &mix, const TensorSlot &slot) {
    // F32/F16 files keep every matrix in their type (llama-quantize applies the rules to quantized types
    // only); so does llcuda's NF4 mix (all matrices NF4, embeddings and output included, rows that are
    // not whole blocks of 64 in F16), which no llama-quantize rule covers.
    if (mix.base == LLCUDA_TYPE_F32 || mix.base == LLCUDA_TYPE_F16) return mix.base;
    if (mix.base == LLCUDA_TYPE_NF4) return fits(mix.base, slot.row_length) ? mix.base : LLCUDA_TYPE_F16;
    int32_t type = chosen_type(mix, slot);
    if (fits(type, slot.row_length)) return type;
    switch (type) {
        case LLCUDA_TYPE_Q2_K:
        case LLCUDA_TYPE_Q3_K:
        case LLCUDA_TYPE_IQ4_XS:
            type = LLCUDA_TYPE_IQ4_NL;
            break;
        case LLCUDA_TYPE_Q4_K:
            type = LLCUDA_TYPE_Q5_0;
            break;
        case LLCUDA_TYPE_Q5_K:
            type = LLCUDA_TYPE_Q5_1;
            break;
        case LLCUDA_TYPE_Q6_K:
            type = LLCUDA_TYPE_Q8_0;
            break;
        default:
            break;
    }
    return fits(type, slot.row_length) ? type : LLCUDA_TYPE_F16;
}

}  // namespace llcuda::tools
