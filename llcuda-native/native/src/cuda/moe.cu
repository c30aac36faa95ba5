// The mixture-of-experts FFN on the GPU: routing (softmax, top-k, renormalisation) in one warp per
// token, then either mat-vecs over only the routed experts' rows (decode steps: the expert of each
// (token, slot) pair read from device memory by the product kernel) or, for prompts and large
// batches, a counting sort of the pairs by expert into tiles and grouped tensor-core products over
// each expert's gathered rows; a last kernel adds each token's weighted expert outputs to the
// residual in slot order (deterministic). The host never reads the routing: the grids are sized for
// the most tiles a batch can make, so the step stays one CUDA graph.
#include <algorithm>
#include <cmath>

#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kRouteWarps = 4;                      // tokens per routing block
constexpr int kGroupThreads = 1024;                 // the one block that sorts a batch's pairs
constexpr float kMinChosenTotal = 6.103515625e-5f;  // llama.cpp's clamp (the smallest normal FP16)

__global__ void __launch_bounds__(kRouteWarps *kWarpSize)
    route_kernel(const float *__restrict__ logits, int n_tokens, int n_expert, int n_used, int32_t *__restrict__ chosen,
                 float *__restrict__ weights) {
    extern __shared__ float route_probs[];
    const int warp = threadIdx.x / kWarpSize, lane = threadIdx.x % kWarpSize;
    const int64_t t = static_cast<int64_t>(blockIdx.x) * kRouteWarps + warp;
    if (t >= n_tokens) return;  // whole warps only; the kernel has no block barrier
    float *probs = route_probs + warp * n_expert;
    const float *l = logits + t * n_expert;
    float top = -INFINITY;
    for (int e = lane; e < n_expert; e += kWarpSize) top = fmaxf(top, l[e]);
    top = warp_max(top);
    float total = 0.0f;
    for (int e = lane; e < n_expert; e += kWarpSize) {
        probs[e] = expf(l[e] - top);
        total += probs[e];
    }
    total = warp_sum(total);
    for (int e = lane; e < n_expert; e += kWarpSize) probs[e] /= total;
    __syncwarp();
    float chosen_total = 0.0f;
    for (int j = 0; j < n_used; ++j) {
        float best = -1.0f;
        int best_e = n_expert;
        for (int e = lane; e < n_expert; e += kWarpSize)
            if (probs[e] > best) {  // ascending per lane: the lowest index wins ties
                best = probs[e];
                best_e = e;
            }
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) {
            const float other = __shfl_xor_sync(0xffffffffu, best, o);
            const int other_e = __shfl_xor_sync(0xffffffffu, best_e, o);
            if (other > best || (other == best && other_e < best_e)) {
                best = other;
                best_e = other_e;
            }
        }
        if (best_e == n_expert) {  // NaN logits: still a valid expert, never an index past the stack
            best_e = j % n_expert;
            best = 0.0f;
        }
        if (lane == 0) {
            chosen[t * n_used + j] = best_e;
            weights[t * n_used + j] = best;
            probs[best_e] = -1.0f;  // below every probability: not chosen twice
        }
        __syncwarp();
        chosen_total += best;
    }
    chosen_total = fmaxf(chosen_total, kMinChosenTotal);
    for (int j = lane; j < n_used; j += kWarpSize) weights[t * n_used + j] /= chosen_total;
}

// Counting sort of the pairs by expert (within an expert the order is the atomics', which changes no
// value: every row's products depend on that row only), and the tiles of each expert's rows.
__global__ void __launch_bounds__(kGroupThreads)
    group_kernel(const int32_t *__restrict__ chosen, int pairs, int n_expert, int32_t *__restrict__ slot_of,
                 int32_t *__restrict__ pair_at, ExpertTile *__restrict__ tiles, int n_tiles) {
    __shared__ int count[kMaxExperts], first[kMaxExperts], first_tile[kMaxExperts];
    __shared__ int used_tiles;
    for (int e = threadIdx.x; e < n_expert; e += blockDim.x) count[e] = 0;
    __syncthreads();
    for (int p = threadIdx.x; p < pairs; p += blockDim.x) atomicAdd(&count[chosen[p]], 1);
    __syncthreads();
    if (threadIdx.x == 0) {
        int rows = 0, tiles_so_far = 0;
        for (int e = 0; e < n_expert; ++e) {
            first[e] = rows;
            first_tile[e] = tiles_so_far;
            rows += count[e];
            tiles_so_far += (count[e] + kExpertTileRows - 1) / kExpertTileRows;
        }
        used_tiles = tiles_so_far;
    }
    __syncthreads();
    for (int e = threadIdx.x; e < n_expert; e += blockDim.x) {
        const int end = first[e] + count[e];
        for (int r = first[e], i = first_tile[e]; r < end; r += kExpertTileRows, ++i)
            tiles[i] = ExpertTile{e, r, min(end, r + kExpertTileRows)};
    }
    for (int i = used_tiles + threadIdx.x; i < n_tiles; i += blockDim.x) tiles[i] = ExpertTile{-1, 0, 0};
    __syncthreads();
    for (int e = threadIdx.x; e < n_expert; e += blockDim.x) count[e] = 0;  // now the next free row of each expert
    __syncthreads();
    for (int p = threadIdx.x; p < pairs; p += blockDim.x) {
        const int e = chosen[p];
        const int slot = first[e] + atomicAdd(&count[e], 1);
        slot_of[p] = slot;
        pair_at[slot] = p;
    }
}

// x[t] += sum_j weights[t, j] * down[row of pair (t, j)], the slots in order.
__global__ void __launch_bounds__(256)
    combine_kernel(const float *__restrict__ weights, const int32_t *__restrict__ slot_of,
                   const float *__restrict__ down, int n_used, int n, float *__restrict__ x) {
    const int64_t t = blockIdx.x;
    for (int d = threadIdx.x; d < n; d += blockDim.x) {
        float sum = 0.0f;
        for (int j = 0; j < n_used; ++j) {
            const int64_t pair = t * n_used + j;
            const int64_t row = slot_of != nullptr ? slot_of[pair] : pair;
            sum = fmaf(weights[pair], down[row * n + d], sum);
        }
        x[t * n + d] += sum;
    }
}

void combine(const float *weights, const int32_t *slot_of, const float *down, int n_tokens, int n_used, int n, float *x,
             cudaStream_t stream) {
    combine_kernel<<<n_tokens, 256, 0, stream>>>(weights, slot_of, down, n_used, n, x);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

// Tokens of one pass: the pairs of a pass fit a grid's y dimension and the SwiGLU's rows.
int tokens_per_pass(const MoeShape &shape) {
    return 65535 / shape.n_used;
}

size_t aligned_floats(size_t n) {
    return (n + 3) / 4 * 4;
}  // 16-byte aligned regions

}  // namespace

void route_experts(const float *logits, int n_tokens, int n_expert, int n_used, int32_t *chosen, float *weights,
                   cudaStream_t stream) {
    require(n_expert >= 1 && n_expert <= kMaxExperts && n_used >= 1 && n_used <= std::min(n_expert, kMaxExpertsUsed),
            "route_experts: " + std::to_string(n_used) + " of " + std::to_string(n_expert) + " experts (at most " +
                std::to_string(kMaxExpertsUsed) + " of " + std::to_string(kMaxExperts) + ")");
    if (n_tokens == 0) return;
    const size_t shared = static_cast<size_t>(kRouteWarps) * n_expert * sizeof(float);
    route_kernel<<<ceil_div(n_tokens, kRouteWarps), kRouteWarps * kWarpSize, shared, stream>>>(
        logits, n_tokens, n_expert, n_used, chosen, weights);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

int max_expert_tiles(int pairs, int n_expert) {
    // Each expert with c rows makes ceil(c / tile) <= c / tile + 1 tiles, and at most min(experts, pairs) have rows.
    return ceil_div(pairs, kExpertTileRows) + std::min(n_expert, pairs);
}

void group_by_expert(const int32_t *chosen, int pairs, int n_expert, int32_t *slot_of, int32_t *pair_at,
                     ExpertTile *tiles, cudaStream_t stream) {
    require(n_expert >= 1 && n_expert <= kMaxExperts && pairs >= 1,
            "group_by_expert: " + std::to_string(pairs) + " pairs over " + std::to_string(n_expert) + " experts");
    group_kernel<<<1, kGroupThreads, 0, stream>>>(chosen, pairs, n_expert, slot_of, pair_at, tiles,
                                                  max_expert_tiles(pairs, n_expert));
    LLCUDA_CUDA_CHECK_LAUNCH();
}

size_t moe_scratch_bytes(const MoeShape &s, int tokens) {
    const int T = std::min(tokens, tokens_per_pass(s));
    const size_t P = static_cast<size_t>(T) * s.n_used;
    const size_t floats = aligned_floats(static_cast<size_t>(T) * s.n_expert) + aligned_floats(P) +
                          aligned_floats(P * 2 * s.n_ff) + aligned_floats(P * s.n_ff) + aligned_floats(P * s.n_embd);
    const size_t ints = 3 * aligned_floats(P) +
                        aligned_floats(3 * static_cast<size_t>(max_expert_tiles(static_cast<int>(P), s.n_expert)));
    return (floats + ints) * sizeof(float);
}

MoeScratch moe_scratch(void *memory, const MoeShape &s, int tokens) {
    const int T = std::min(tokens, tokens_per_pass(s));
    const size_t P = static_cast<size_t>(T) * s.n_used;
    float *p = static_cast<float *>(memory);
    auto take = [&](size_t n) {
        float *at = p;
        p += aligned_floats(n);
        return at;
    };
    MoeScratch m;
    m.logits = take(static_cast<size_t>(T) * s.n_expert);
    m.weights = take(P);
    m.gate_up = take(P * 2 * s.n_ff);
    m.ffn = take(P * s.n_ff);
    m.down = take(P * s.n_embd);
    m.chosen = reinterpret_cast<int32_t *>(take(P));
    m.slot_of = reinterpret_cast<int32_t *>(take(P));
    m.pair_at = reinterpret_cast<int32_t *>(take(P));
    m.tiles = reinterpret_cast<ExpertTile *>(
        take(3 * static_cast<size_t>(max_expert_tiles(static_cast<int>(P), s.n_expert))));
    return m;
}

size_t moe_half_scratch(const MoeShape &s, int tokens) {
    return static_cast<size_t>(std::min(tokens, tokens_per_pass(s))) * s.n_used * std::max(s.n_embd, s.n_ff);
}

size_t moe_q8_bytes(const MoeShape &s) {
    return q8_activation_bytes(kMatVecMaxTokens * s.n_used, s.n_ff);
}

void moe_ffn(const MoeLayer &l, const MoeShape &s, const float *xn, const Q8Activations *xq, int n_tokens, float *x,
             const MoeScratch &m, void *q8, int sm_count, const HalfScratch &x16, cudaStream_t stream) {
    const int E = s.n_embd, F = s.n_ff, K = s.n_used;
    const bool any_f32 =
        l.gate.type == LLCUDA_TYPE_F32 || l.up.type == LLCUDA_TYPE_F32 || l.down.type == LLCUDA_TYPE_F32;
    for (int t0 = 0; t0 < n_tokens; t0 += tokens_per_pass(s)) {
        const int T = std::min(n_tokens - t0, tokens_per_pass(s)), P = T * K;
        const float *in = xn + static_cast<int64_t>(t0) * E;
        float *out = x + static_cast<int64_t>(t0) * E;
        // xq holds every token's row only while all tokens fit one pass of at most kMatVecMaxTokens.
        const Q8Activations *in_q = n_tokens <= kMatVecMaxTokens ? xq : nullptr;
        mat_mul(l.router, in, E, T, m.logits, s.n_expert, false, sm_count, x16, stream, in_q);
        route_experts(m.logits, T, s.n_expert, K, m.chosen, m.weights, stream);
        if (T <= kMatVecMaxTokens || any_f32) {  // F32 experts keep FP32 products, as dense F32 weights do
            expert_mat_vec(l.gate, l.gate_bytes, in, E, uses_q8_activations(l.gate.type, T) ? in_q : nullptr, K,
                           m.chosen, P, m.gate_up, 2 * F, stream);
            expert_mat_vec(l.up, l.up_bytes, in, E, uses_q8_activations(l.up.type, T) ? in_q : nullptr, K, m.chosen, P,
                           m.gate_up + F, 2 * F, stream);
            Q8Activations ffn_q;
            const bool down_q8 = q8 != nullptr && T <= kMatVecMaxTokens && uses_q8_activations(l.down.type, T);
            if (down_q8) ffn_q = q8_activations(q8, P, F);
            swiglu(m.gate_up, m.gate_up + F, P, F, 2 * F, m.ffn, stream, down_q8 ? &ffn_q : nullptr);
            expert_mat_vec(l.down, l.down_bytes, m.ffn, F, down_q8 ? &ffn_q : nullptr, 1, m.chosen, P, m.down, E,
                           stream);
            combine(m.weights, nullptr, m.down, T, K, E, out, stream);
            continue;
        }
        const int n_tiles = max_expert_tiles(P, s.n_expert);
        group_by_expert(m.chosen, P, s.n_expert, m.slot_of, m.pair_at, m.tiles, stream);
        mat_mul_experts(l.gate, l.gate_bytes, in, E, m.pair_at, K, P, m.tiles, n_tiles, m.gate_up, 2 * F, sm_count, x16,
                        stream);
        mat_mul_experts(l.up, l.up_bytes, in, E, m.pair_at, K, P, m.tiles, n_tiles, m.gate_up + F, 2 * F, sm_count, x16,
                        stream);
        swiglu(m.gate_up, m.gate_up + F, P, F, 2 * F, m.ffn, stream);
        mat_mul_experts(l.down, l.down_bytes, m.ffn, F, nullptr, 1, P, m.tiles, n_tiles, m.down, E, sm_count, x16,
                        stream);
        combine(m.weights, m.slot_of, m.down, T, K, E, out, stream);
    }
}

}  // namespace llcuda::cuda
