// The mixture-of-experts FFN of a batch (Mixtral, Qwen3-MoE): every token routed to its top experts,
// then each expert's products run once over all the tokens routed to it (grouped by expert, not one
// product per token); a decode step reads only the weights of the experts its tokens chose.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/kernels.h"
#include "cpu/thread_pool.h"
#include "model_spec.h"

namespace llcuda {

// Buffers of one call, reused by the next.
struct MoeScratch {
    std::vector<float> router, rows, gate, up, down, weights;
    std::vector<int32_t> chosen, tokens_of;
    std::vector<int64_t> first_of;
};

// out[t] = sum over the n_expert_used experts e of highest softmax probability p_e of router(xn[t]):
// p_e / sum(chosen p) * down_e(silu(gate_e xn[t]) * up_e xn[t]), as llama.cpp's build_moe_ffn with
// softmax gating and normalised weights. xn, out: [n_tokens][n_embd].
void moe_ffn(const CpuKernels &kernels, ThreadPool &pool, const ModelSpec &spec, const LayerTensors &layer,
             const float *xn, int64_t n_tokens, float *out, MoeScratch &s, std::vector<uint8_t> &act);

}  // namespace llcuda
