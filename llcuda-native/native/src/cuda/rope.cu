// One kernel per layer between the Q/K/V products and attention: adds the optional Q/K/V biases
// (qwen2), rotates Q and K (RoPE, normal or NEOX pairing), rotates Q in place and stores K and V as
// FP16 into their paged-cache rows. One block per token. Each pair's angle is computed once per
// token, in double precision (positions reach the tens of thousands, where a float angle would be
// off by 1e-3 radians), and shared by all heads through shared memory.
#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ float bias_at(const float *b, int i) { return b ? b[i] : 0.0f; }

constexpr int kMaxPairs = 64;  // rope_dim <= head_dim <= 128

// Pair p rotates dims (2p, 2p+1) in normal mode and (p, p + rope_dim/2) in NEOX mode.
__device__ __forceinline__ int pair_first(const RopeConfig &cfg, int p) { return cfg.neox ? p : 2 * p; }
__device__ __forceinline__ int pair_second(const RopeConfig &cfg, int p) {
    return cfg.neox ? p + cfg.rope_dim / 2 : 2 * p + 1;
}

__global__ void __launch_bounds__(kThreads)
rope_store_kernel(RopeConfig cfg, const int32_t *__restrict__ positions,
                  const int32_t *__restrict__ slots, float *__restrict__ q, int ldq,
                  const float *__restrict__ k, const float *__restrict__ v, int ldkv,
                  const float *__restrict__ bq, const float *__restrict__ bk,
                  const float *__restrict__ bv, __half *__restrict__ k_cache,
                  __half *__restrict__ v_cache) {
    const int t = blockIdx.x;
    const int pos = positions[t];
    const int slot = slots[t];
    const int d = cfg.head_dim, half_rot = cfg.rope_dim / 2;
    const int kv_dim = cfg.n_head_kv * d;
    float *qt = q + static_cast<int64_t>(t) * ldq;
    const float *kt = k + static_cast<int64_t>(t) * ldkv;
    const float *vt = v + static_cast<int64_t>(t) * ldkv;
    __half *kc = slot >= 0 ? k_cache + static_cast<int64_t>(slot) * kv_dim : nullptr;
    __half *vc = slot >= 0 ? v_cache + static_cast<int64_t>(slot) * kv_dim : nullptr;

    // One angle per pair, shared by every head of the token.
    __shared__ float cos_s[kMaxPairs], sin_s[kMaxPairs];
    for (int p = threadIdx.x; p < half_rot; p += kThreads) {
        const double inv_freq = pow(static_cast<double>(cfg.theta_base), -2.0 * p / cfg.rope_dim);
        double sn, cs;
        sincos(static_cast<double>(pos) * cfg.freq_scale * inv_freq, &sn, &cs);
        cos_s[p] = static_cast<float>(cs);
        sin_s[p] = static_cast<float>(sn);
    }
    __syncthreads();
    // Rotated pairs, Q heads then K heads.
    for (int i = threadIdx.x; i < (cfg.n_head + cfg.n_head_kv) * half_rot; i += kThreads) {
        const int head = i / half_rot, p = i % half_rot;
        const float c = cos_s[p], sn = sin_s[p];
        const int pa = pair_first(cfg, p), pb = pair_second(cfg, p);
        if (head < cfg.n_head) {
            const int a = head * d + pa, b = head * d + pb;
            const float x0 = qt[a] + bias_at(bq, a), x1 = qt[b] + bias_at(bq, b);
            qt[a] = x0 * c - x1 * sn;
            qt[b] = x0 * sn + x1 * c;
        } else if (kc) {
            const int kh = head - cfg.n_head;
            const int a = kh * d + pa, b = kh * d + pb;
            const float x0 = kt[a] + bias_at(bk, a), x1 = kt[b] + bias_at(bk, b);
            kc[a] = __float2half_rn(x0 * c - x1 * sn);
            kc[b] = __float2half_rn(x0 * sn + x1 * c);
        }
    }
    // Dimensions past rope_dim: bias only.
    const int rest = d - cfg.rope_dim;
    for (int i = threadIdx.x; i < (cfg.n_head + cfg.n_head_kv) * rest; i += kThreads) {
        const int head = i / rest, j = cfg.rope_dim + i % rest;
        if (head < cfg.n_head) {
            qt[head * d + j] += bias_at(bq, head * d + j);
        } else if (kc) {
            const int idx = (head - cfg.n_head) * d + j;
            kc[idx] = __float2half_rn(kt[idx] + bias_at(bk, idx));
        }
    }
    if (vc)
        for (int i = threadIdx.x; i < kv_dim; i += kThreads) vc[i] = __float2half_rn(vt[i] + bias_at(bv, i));
}

}  // namespace

void rope_and_store_kv(const RopeConfig &cfg, int n_tokens, const int32_t *positions,
                       const int32_t *slots, float *q, int ldq, const float *k, const float *v,
                       int ldkv, const float *bq, const float *bk, const float *bv, __half *k_cache,
                       __half *v_cache, cudaStream_t stream) {
    require(cfg.rope_dim % 2 == 0 && cfg.rope_dim <= cfg.head_dim && cfg.rope_dim <= 2 * kMaxPairs,
            "rope: rope_dim " + std::to_string(cfg.rope_dim) + " must be even and <= head_dim");
    if (n_tokens == 0) return;
    rope_store_kernel<<<n_tokens, kThreads, 0, stream>>>(cfg, positions, slots, q, ldq, k, v, ldkv, bq, bk, bv,
                                                         k_cache, v_cache);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
