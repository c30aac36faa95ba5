// One kernel per layer between the Q/K/V products and attention: adds the optional Q/K/V biases
// (qwen2), rotates Q and K (RoPE, normal or NEOX pairing), rotates Q in place and stores K and V as
// FP16 into their paged-cache rows. One block per token. Angles are computed in double precision:
// positions reach the tens of thousands, where a float angle would be off by 1e-3 radians.
#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 128;

__device__ __forceinline__ float bias_at(const float *b, int i) { return b ? b[i] : 0.0f; }

// Rotates pair p of one head: returns the indices it touches and the rotation.
struct RopePair {
    int a, b;
    float cos_t, sin_t;
};

__device__ RopePair rope_pair(const RopeConfig &cfg, int p, int pos) {
    RopePair r;
    if (cfg.neox) { r.a = p; r.b = p + cfg.rope_dim / 2; }
    else { r.a = 2 * p; r.b = 2 * p + 1; }
    const double inv_freq = pow(static_cast<double>(cfg.theta_base), -2.0 * p / cfg.rope_dim);
    const double theta = static_cast<double>(pos) * cfg.freq_scale * inv_freq;
    double s, c;
    sincos(theta, &s, &c);
    r.cos_t = static_cast<float>(c);
    r.sin_t = static_cast<float>(s);
    return r;
}

__global__ void __launch_bounds__(kThreads)
rope_store_kernel(RopeConfig cfg, const int32_t *__restrict__ positions,
                  const int32_t *__restrict__ slots, float *__restrict__ q,
                  const float *__restrict__ k, const float *__restrict__ v,
                  const float *__restrict__ bq, const float *__restrict__ bk,
                  const float *__restrict__ bv, __half *__restrict__ k_cache,
                  __half *__restrict__ v_cache) {
    const int t = blockIdx.x;
    const int pos = positions[t];
    const int slot = slots[t];
    const int d = cfg.head_dim, half_rot = cfg.rope_dim / 2;
    const int q_dim = cfg.n_head * d, kv_dim = cfg.n_head_kv * d;
    float *qt = q + static_cast<int64_t>(t) * q_dim;
    const float *kt = k + static_cast<int64_t>(t) * kv_dim;
    const float *vt = v + static_cast<int64_t>(t) * kv_dim;
    __half *kc = slot >= 0 ? k_cache + static_cast<int64_t>(slot) * kv_dim : nullptr;
    __half *vc = slot >= 0 ? v_cache + static_cast<int64_t>(slot) * kv_dim : nullptr;

    // Rotated pairs, Q heads then K heads.
    for (int i = threadIdx.x; i < (cfg.n_head + cfg.n_head_kv) * half_rot; i += kThreads) {
        const int head = i / half_rot, p = i % half_rot;
        const RopePair r = rope_pair(cfg, p, pos);
        if (head < cfg.n_head) {
            const int a = head * d + r.a, b = head * d + r.b;
            const float x0 = qt[a] + bias_at(bq, a), x1 = qt[b] + bias_at(bq, b);
            qt[a] = x0 * r.cos_t - x1 * r.sin_t;
            qt[b] = x0 * r.sin_t + x1 * r.cos_t;
        } else if (kc) {
            const int kh = head - cfg.n_head;
            const int a = kh * d + r.a, b = kh * d + r.b;
            const float x0 = kt[a] + bias_at(bk, a), x1 = kt[b] + bias_at(bk, b);
            kc[a] = __float2half_rn(x0 * r.cos_t - x1 * r.sin_t);
            kc[b] = __float2half_rn(x0 * r.sin_t + x1 * r.cos_t);
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
                       const int32_t *slots, float *q, const float *k, const float *v,
                       const float *bq, const float *bk, const float *bv, __half *k_cache,
                       __half *v_cache, cudaStream_t stream) {
    require(cfg.rope_dim % 2 == 0 && cfg.rope_dim <= cfg.head_dim,
            "rope: rope_dim " + std::to_string(cfg.rope_dim) + " must be even and <= head_dim");
    if (n_tokens == 0) return;
    rope_store_kernel<<<n_tokens, kThreads, 0, stream>>>(cfg, positions, slots, q, k, v, bq, bk, bv,
                                                         k_cache, v_cache);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
