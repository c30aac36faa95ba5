#include "cpu/moe.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "cpu/matmul.h"
#include "cpu/ops.h"
#include "ggml_blocks.h"

namespace llcuda {

namespace {

// The experts of one token, highest probability first, and their renormalised weights.
void route(const float *logits, int32_t n_expert, int32_t n_used, int32_t *chosen, float *weights) {
    std::vector<float> probs(logits, logits + n_expert);
    const float top = *std::max_element(probs.begin(), probs.end());
    float total = 0.0f;
    for (float &p : probs) total += (p = std::exp(p - top));
    for (float &p : probs) p /= total;
    std::vector<int32_t> order(static_cast<size_t>(n_expert));
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + n_used, order.end(), [&](int32_t a, int32_t b) {
        return probs[static_cast<size_t>(a)] > probs[static_cast<size_t>(b)] ||
               (probs[static_cast<size_t>(a)] == probs[static_cast<size_t>(b)] && a < b);
    });
    float chosen_total = 0.0f;
    for (int32_t k = 0; k < n_used; ++k) chosen_total += probs[static_cast<size_t>(order[static_cast<size_t>(k)])];
    chosen_total = std::max(chosen_total, 6.103515625e-5f);  // llama.cpp's clamp (the smallest normal FP16)
    for (int32_t k = 0; k < n_used; ++k) {
        chosen[k] = order[static_cast<size_t>(k)];
        weights[k] = probs[static_cast<size_t>(chosen[k])] / chosen_total;
    }
}

}  // namespace

void moe_ffn(const CpuKernels &kernels, ThreadPool &pool, const ModelSpec &spec, const LayerTensors &layer,
             const float *xn, int64_t n_tokens, float *out, MoeScratch &s, std::vector<uint8_t> &act) {
    const int64_t E = spec.n_embd, F = spec.n_ff_expert, T = n_tokens;
    const int32_t n_expert = spec.n_expert, n_used = spec.n_expert_used;
    s.router.resize(static_cast<size_t>(T * n_expert));
    matmul(kernels, pool, layer.ffn_gate_inp, nullptr, xn, T, s.router.data(), act);
    s.chosen.resize(static_cast<size_t>(T * n_used));
    s.weights.resize(static_cast<size_t>(T * n_used));
    for (int64_t t = 0; t < T; ++t)
        route(&s.router[t * n_expert], n_expert, n_used, &s.chosen[t * n_used], &s.weights[t * n_used]);

    // The (token, slot) pairs of each expert, expert by expert (a counting sort of s.chosen).
    s.first_of.assign(static_cast<size_t>(n_expert) + 1, 0);
    for (int32_t e : s.chosen) ++s.first_of[static_cast<size_t>(e) + 1];
    for (int32_t e = 0; e < n_expert; ++e) s.first_of[e + 1] += s.first_of[e];
    s.tokens_of.resize(s.chosen.size());
    std::vector<int64_t> next(s.first_of.begin(), s.first_of.end() - 1);
    for (size_t i = 0; i < s.chosen.size(); ++i)
        s.tokens_of[static_cast<size_t>(next[static_cast<size_t>(s.chosen[i])]++)] = static_cast<int32_t>(i);

    std::fill(out, out + T * E, 0.0f);
    const uint64_t gate_bytes = row_bytes(layer.ffn_gate_exps.type, E) * static_cast<uint64_t>(F);
    const uint64_t up_bytes = row_bytes(layer.ffn_up_exps.type, E) * static_cast<uint64_t>(F);
    const uint64_t down_bytes = row_bytes(layer.ffn_down_exps.type, F) * static_cast<uint64_t>(E);
    for (int32_t e = 0; e < n_expert; ++e) {
        const int64_t begin = s.first_of[e], n = s.first_of[e + 1] - begin;
        if (n == 0) continue;  // an expert no token chose: its weights are not read
        s.rows.resize(static_cast<size_t>(n * E));
        for (int64_t i = 0; i < n; ++i) {
            const int64_t t = s.tokens_of[static_cast<size_t>(begin + i)] / n_used;
            std::copy(xn + t * E, xn + (t + 1) * E, s.rows.begin() + i * E);
        }
        s.gate.resize(static_cast<size_t>(n * F));
        s.up.resize(static_cast<size_t>(n * F));
        s.down.resize(static_cast<size_t>(n * E));
        matmul(kernels, pool, expert_matrix(layer.ffn_gate_exps, e, gate_bytes), nullptr, s.rows.data(), n,
               s.gate.data(), act);
        matmul(kernels, pool, expert_matrix(layer.ffn_up_exps, e, up_bytes), nullptr, s.rows.data(), n, s.up.data(),
               act);
        kernels.silu_mul(s.gate.data(), s.up.data(), n * F);
        matmul(kernels, pool, expert_matrix(layer.ffn_down_exps, e, down_bytes), nullptr, s.gate.data(), n,
               s.down.data(), act);
        for (int64_t i = 0; i < n; ++i) {
            const int32_t pair = s.tokens_of[static_cast<size_t>(begin + i)];
            const float w = s.weights[static_cast<size_t>(pair)];
            float *o = out + (pair / n_used) * E;
            for (int64_t d = 0; d < E; ++d) o[d] += w * s.down[static_cast<size_t>(i * E + d)];
        }
    }
}

}  // namespace llcuda
