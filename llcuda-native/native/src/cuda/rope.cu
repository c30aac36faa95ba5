// One kernel per layer between the Q/K/V products and attention: adds the optional Q/K/V biases
// (qwen2), rotates Q and K (RoPE, normal or NEOX pairing), rotates Q in place and stores K and V as
// FP16 into their paged-cache rows; with a Q8_0 cache it writes rotated K back in place instead,
// and a second kernel quantizes K and V into the cache rows. Every thread does one independent
// piece (a rotated pair, an unrotated dimension, or with an F16 cache a V element), so a token's
// work is one round trip of a few blocks. The angle is computed in double precision (positions
// reach the tens of thousands, where a float angle would be off by 1e-3 radians) from inverse
// frequencies computed once per model (rope_frequencies.h: linear, llama3 and YaRN scaling folded in),
// and reduced to [-pi, pi] before its sine and cosine, which carry the model's RoPE magnitude.
// Both kernels are part of the decode chain that overlaps on sm_90 (dependent-launch.cuh).
#include <cmath>

#include "dependent-launch.cuh"
#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ float bias_at(const float *b, int i) {
    return b ? b[i] : 0.0f;
}

// Pair p rotates dims (2p, 2p+1) in normal mode and (p, p + rope_dim/2) in NEOX mode.
__device__ __forceinline__ int pair_first(const RopeConfig &cfg, int p) {
    return cfg.neox ? p : 2 * p;
}
__device__ __forceinline__ int pair_second(const RopeConfig &cfg, int p) {
    return cfg.neox ? p + cfg.rope_dim / 2 : 2 * p + 1;
}

// F16_CACHE: K and V go straight to their FP16 cache rows. Otherwise K is rotated in place (and
// V left alone) for store_q8_kernel, which needs whole 32-value blocks to find their scales.
template <bool F16_CACHE>
__global__ void __launch_bounds__(kThreads)
    rope_store_kernel(const __grid_constant__ RopeConfig cfg, const int32_t *__restrict__ positions,
                      const int32_t *__restrict__ slots, float *__restrict__ q, int ldq, float *__restrict__ k,
                      const float *__restrict__ v, int ldkv, const float *__restrict__ bq, const float *__restrict__ bk,
                      const float *__restrict__ bv, __half *__restrict__ k_cache, __half *__restrict__ v_cache) {
    allow_next_kernel();
    wait_for_previous_kernel();
    const int t = blockIdx.y;
    const int d = cfg.head_dim, half_rot = cfg.rope_dim / 2, rest = d - cfg.rope_dim;
    const int heads = cfg.n_head + cfg.n_head_kv, kv_dim = cfg.n_head_kv * d;
    const int slot = slots[t];
    float *qt = q + static_cast<int64_t>(t) * ldq;
    float *kt = k + static_cast<int64_t>(t) * ldkv;
    __half *kc = F16_CACHE ? k_cache + static_cast<int64_t>(slot) * kv_dim : nullptr;
    // A K value: into the FP16 row, or back in place.
    auto put_k = [&](int i, float value) {
        if constexpr (F16_CACHE)
            kc[i] = __float2half_rn(value);
        else
            kt[i] = value;
    };
    int i = blockIdx.x * kThreads + threadIdx.x;
    if (i < heads * half_rot) {  // a rotated pair of a Q head (then of a K head)
        const int head = i / half_rot, p = i % half_rot;
        if (head >= cfg.n_head && slot < 0) return;
        constexpr double kTwoPi = 6.283185307179586;
        double angle = static_cast<double>(positions[t]) * cfg.freq[p];
        angle -= rint(angle / kTwoPi) * kTwoPi;
        double sn, cs;
        sincos(angle, &sn, &cs);
        const float c = static_cast<float>(cs * cfg.mscale), s = static_cast<float>(sn * cfg.mscale);
        const int pa = pair_first(cfg, p), pb = pair_second(cfg, p);
        if (head < cfg.n_head) {
            const int a = head * d + pa, b = head * d + pb;
            const float x0 = qt[a] + bias_at(bq, a), x1 = qt[b] + bias_at(bq, b);
            qt[a] = x0 * c - x1 * s;
            qt[b] = x0 * s + x1 * c;
        } else {
            const int kh = head - cfg.n_head;
            const int a = kh * d + pa, b = kh * d + pb;
            const float x0 = kt[a] + bias_at(bk, a), x1 = kt[b] + bias_at(bk, b);
            put_k(a, x0 * c - x1 * s);
            put_k(b, x0 * s + x1 * c);
        }
        return;
    }
    i -= heads * half_rot;
    if (i < heads * rest) {  // dimensions past rope_dim: bias only
        const int head = i / rest, j = cfg.rope_dim + i % rest;
        if (head < cfg.n_head) {
            qt[head * d + j] += bias_at(bq, head * d + j);
        } else if (slot >= 0) {
            const int idx = (head - cfg.n_head) * d + j;
            put_k(idx, kt[idx] + bias_at(bk, idx));
        }
        return;
    }
    i -= heads * rest;
    if constexpr (F16_CACHE) {
        if (i < kv_dim && slot >= 0)
            v_cache[static_cast<int64_t>(slot) * kv_dim + i] =
                __float2half_rn(v[static_cast<int64_t>(t) * ldkv + i] + bias_at(bv, i));
    }
}

// Q8_0 cache rows: one warp per 32-value block of K (rotated, biased) or V (bias added here):
// scale = max |value| / 127 stored as FP16, values rounded to int8 on that scale (as GGUF Q8_0).
__global__ void __launch_bounds__(kThreads)
    store_q8_kernel(const int32_t *__restrict__ slots, const float *__restrict__ k, const float *__restrict__ v,
                    int ldkv, const float *__restrict__ bv, int kv_dim, int8_t *__restrict__ kq,
                    __half *__restrict__ k_scale, int8_t *__restrict__ vq, __half *__restrict__ v_scale) {
    allow_next_kernel();
    wait_for_previous_kernel();
    const int t = blockIdx.y;
    const int slot = slots[t];
    const int n_blocks = kv_dim / 32;
    const int blk = blockIdx.x * (kThreads / kWarpSize) + threadIdx.x / kWarpSize;  // K blocks, then V blocks
    const int lane = threadIdx.x % kWarpSize;
    if (slot < 0 || blk >= 2 * n_blocks) return;
    const bool is_v = blk >= n_blocks;
    const int i = (is_v ? blk - n_blocks : blk) * 32 + lane;
    const float x =
        is_v ? v[static_cast<int64_t>(t) * ldkv + i] + bias_at(bv, i) : k[static_cast<int64_t>(t) * ldkv + i];
    const float amax = warp_max(fabsf(x));
    const float scale = amax / 127.0f;
    const float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
    const int64_t row = static_cast<int64_t>(slot) * kv_dim;
    (is_v ? vq : kq)[row + i] = static_cast<int8_t>(__float2int_rn(x * inv));
    if (lane == 0) (is_v ? v_scale : k_scale)[static_cast<int64_t>(slot) * n_blocks + i / 32] = __float2half_rn(scale);
}

void require_rope_dims(int rope_dim, int head_dim) {
    require(rope_dim % 2 == 0 && rope_dim >= 0 && rope_dim <= head_dim && rope_dim <= 2 * kMaxRopePairs,
            "rope: rope_dim " + std::to_string(rope_dim) + " must be even, not negative and <= head_dim " +
                std::to_string(head_dim) + " (at most " + std::to_string(2 * kMaxRopePairs) + ")");
}

}  // namespace

RopeConfig make_rope_config(int n_head, int n_head_kv, int head_dim, bool neox, const RopeFrequencies &rope) {
    const int rope_dim = 2 * static_cast<int>(rope.freq.size());
    require_rope_dims(rope_dim, head_dim);
    RopeConfig c;
    c.n_head = n_head;
    c.n_head_kv = n_head_kv;
    c.head_dim = head_dim;
    c.rope_dim = rope_dim;
    c.neox = neox;
    c.mscale = rope.mscale;
    for (int p = 0; p < rope_dim / 2; ++p) c.freq[p] = rope.freq[static_cast<size_t>(p)];
    return c;
}

void rope_and_store_kv(const RopeConfig &cfg, int n_tokens, const int32_t *positions, const int32_t *slots, float *q,
                       int ldq, float *k, const float *v, int ldkv, const float *bq, const float *bk, const float *bv,
                       const KvLayer &cache, cudaStream_t stream) {
    require_rope_dims(cfg.rope_dim, cfg.head_dim);
    require(n_tokens <= 65535, "rope: " + std::to_string(n_tokens) + " tokens in one step, at most 65535");
    const int kv_dim = cfg.n_head_kv * cfg.head_dim;
    require(cache.type == LLCUDA_TYPE_F16 || (cache.type == LLCUDA_TYPE_Q8_0 && kv_dim % 32 == 0),
            "rope: KV cache type " + std::to_string(cache.type) + " with rows of " + std::to_string(kv_dim) +
                " values (F16, or Q8_0 with rows of a multiple of 32)");
    if (n_tokens == 0) return;
    const int heads = cfg.n_head + cfg.n_head_kv;
    const int rotate_items = heads * cfg.head_dim - heads * cfg.rope_dim / 2;  // pairs, then bias-only dims
    const bool overlap = n_tokens <= kDecodeOverlapTokens;
    if (cache.type == LLCUDA_TYPE_F16) {
        launch_dependent(rope_store_kernel<true>, dim3(ceil_div(rotate_items + kv_dim, kThreads), n_tokens),
                         dim3(kThreads), stream, overlap, cfg, positions, slots, q, ldq, k, v, ldkv, bq, bk, bv,
                         static_cast<__half *>(cache.k), static_cast<__half *>(cache.v));
        return;
    }
    launch_dependent(rope_store_kernel<false>, dim3(ceil_div(rotate_items, kThreads), n_tokens), dim3(kThreads), stream,
                     overlap, cfg, positions, slots, q, ldq, k, v, ldkv, bq, bk, bv, static_cast<__half *>(nullptr),
                     static_cast<__half *>(nullptr));
    const int warps = kThreads / kWarpSize;
    launch_dependent(store_q8_kernel, dim3(ceil_div(2 * (kv_dim / 32), warps), n_tokens), dim3(kThreads), stream,
                     overlap, slots, k, v, ldkv, bv, kv_dim, static_cast<int8_t *>(cache.k), cache.k_scale,
                     static_cast<int8_t *>(cache.v), cache.v_scale);
}

}  // namespace llcuda::cuda
