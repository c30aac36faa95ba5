// RMSNorm, one block per row: y = x * rsqrt(mean(x^2) + eps) * w, optionally gathering rows
// (the final norm runs only on the rows whose logits are needed), and optionally quantizing the
// output for the decode products while it is at hand; or added to y (gemma's post-block norms).
// Per-head RMSNorm (qwen3/gemma3 q and k): one warp per head vector, in place.
// rms_norm_kernel is part of the decode chain that overlaps on sm_90 (dependent-launch.cuh).
#include "dependent-launch.cuh"
#include "kernels.cuh"
#include "q8-activations.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ float4 scaled(float4 x, float4 w, float s) {
    return make_float4(x.x * s * w.x, x.y * s * w.y, x.z * s * w.z, x.w * s * w.w);
}

// Rows are read as float4 (n a multiple of 4; of 16 with 8-bit output, one 16-element block per
// thread and pass).
__global__ void __launch_bounds__(kThreads)
    rms_norm_kernel(const float *__restrict__ x, const int32_t *__restrict__ rows, int n, const float *__restrict__ w,
                    float eps, float *__restrict__ y, uint8_t *__restrict__ q, float2 *__restrict__ ds) {
    allow_next_kernel();  // the next product's blocks may start and fetch their weights meanwhile
    wait_for_previous_kernel();
    const int64_t src = rows ? rows[blockIdx.x] : blockIdx.x;
    const float4 *xr = reinterpret_cast<const float4 *>(x + src * n);
    const float4 *w4 = reinterpret_cast<const float4 *>(w);
    const int n4 = n / 4;
    float ss = 0.0f;
    for (int i = threadIdx.x; i < n4; i += kThreads) {
        const float4 a = xr[i];
        ss = fmaf(a.x, a.x, fmaf(a.y, a.y, fmaf(a.z, a.z, fmaf(a.w, a.w, ss))));
    }
    const float total = block_sum<kThreads>(ss);
    const float scale = rsqrtf(total / n + eps);
    float4 *yr = reinterpret_cast<float4 *>(y + static_cast<int64_t>(blockIdx.x) * n);
    if (q == nullptr) {
        for (int i = threadIdx.x; i < n4; i += kThreads) yr[i] = scaled(xr[i], w4[i], scale);
        return;
    }
    const int n_chunks = n / 16;
    for (int c = threadIdx.x; c < n_chunks; c += kThreads) {
        float v[16];
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            const float4 o = scaled(xr[4 * c + i], w4[4 * c + i], scale);
            yr[4 * c + i] = o;
            v[4 * i] = o.x;
            v[4 * i + 1] = o.y;
            v[4 * i + 2] = o.z;
            v[4 * i + 3] = o.w;
        }
        const int64_t chunk = static_cast<int64_t>(blockIdx.x) * n_chunks + c;
        quantize_chunk16(v, q + 32 * chunk, ds + chunk);
    }
}

// y += norm(x) * w, one block per row (rows of a multiple of 4).
__global__ void __launch_bounds__(kThreads)
    rms_norm_add_kernel(const float *__restrict__ x, int n, const float *__restrict__ w, float eps,
                        float *__restrict__ y) {
    const float4 *xr = reinterpret_cast<const float4 *>(x + static_cast<int64_t>(blockIdx.x) * n);
    float4 *yr = reinterpret_cast<float4 *>(y + static_cast<int64_t>(blockIdx.x) * n);
    const float4 *w4 = reinterpret_cast<const float4 *>(w);
    const int n4 = n / 4;
    float ss = 0.0f;
    for (int i = threadIdx.x; i < n4; i += kThreads) {
        const float4 a = xr[i];
        ss = fmaf(a.x, a.x, fmaf(a.y, a.y, fmaf(a.z, a.z, fmaf(a.w, a.w, ss))));
    }
    const float total = block_sum<kThreads>(ss);
    const float scale = rsqrtf(total / n + eps);
    for (int i = threadIdx.x; i < n4; i += kThreads) {
        const float4 o = scaled(xr[i], w4[i], scale);
        float4 acc = yr[i];
        acc.x += o.x;
        acc.y += o.y;
        acc.z += o.z;
        acc.w += o.w;
        yr[i] = acc;
    }
}

constexpr int kMaxHeadValuesPerLane = 16;  // head_dim <= 512

// One warp per (token, head): the head's values stay in registers between the sum and the scaling.
__global__ void __launch_bounds__(kThreads)
    head_rms_norm_kernel(float *__restrict__ x, int ld, int n_heads, int head_dim, const float *__restrict__ w,
                         float eps, int n_items) {
    const int item = blockIdx.x * (kThreads / kWarpSize) + threadIdx.x / kWarpSize;
    if (item >= n_items) return;
    const int lane = threadIdx.x % kWarpSize, per_lane = head_dim / kWarpSize;
    float *h = x + static_cast<int64_t>(item / n_heads) * ld + static_cast<int64_t>(item % n_heads) * head_dim;
    float v[kMaxHeadValuesPerLane];
    float ss = 0.0f;
#pragma unroll
    for (int i = 0; i < kMaxHeadValuesPerLane; ++i) {
        if (i < per_lane) {
            v[i] = h[lane + kWarpSize * i];
            ss = fmaf(v[i], v[i], ss);
        }
    }
    const float scale = rsqrtf(warp_sum(ss) / head_dim + eps);
#pragma unroll
    for (int i = 0; i < kMaxHeadValuesPerLane; ++i)
        if (i < per_lane) h[lane + kWarpSize * i] = v[i] * scale * w[lane + kWarpSize * i];
}

}  // namespace

void rms_norm_add(const float *x, int n_rows, int n, const float *w, float eps, float *y, cudaStream_t stream) {
    if (n_rows == 0) return;
    require(n % 4 == 0, "rms_norm_add: row length " + std::to_string(n) + " is not a multiple of 4");
    rms_norm_add_kernel<<<n_rows, kThreads, 0, stream>>>(x, n, w, eps, y);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

void head_rms_norm(float *x, int ld, int n_tokens, int n_heads, int head_dim, const float *w, float eps,
                   cudaStream_t stream) {
    require(head_dim % kWarpSize == 0 && head_dim <= kWarpSize * kMaxHeadValuesPerLane,
            "head_rms_norm: head_dim " + std::to_string(head_dim) + " must be a multiple of 32 and at most " +
                std::to_string(kWarpSize * kMaxHeadValuesPerLane));
    const int items = n_tokens * n_heads;
    if (items == 0) return;
    constexpr int warps = kThreads / kWarpSize;
    head_rms_norm_kernel<<<ceil_div(items, warps), kThreads, 0, stream>>>(x, ld, n_heads, head_dim, w, eps, items);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

void rms_norm(const float *x, const int32_t *rows, int n_rows, int n, const float *w, float eps, float *y,
              cudaStream_t stream, const Q8Activations *xq) {
    if (n_rows == 0) return;
    require(n % 4 == 0, "rms_norm: row length " + std::to_string(n) + " is not a multiple of 4");
    require(!xq || xq->k == n, "rms_norm: 8-bit output rows of " + std::to_string(xq ? xq->k : 0) +
                                   " elements for rows of " + std::to_string(n));
    launch_dependent(rms_norm_kernel, dim3(n_rows), dim3(kThreads), stream, n_rows <= kDecodeOverlapTokens, x, rows, n,
                     w, eps, y, xq ? xq->q : nullptr, xq ? xq->ds : nullptr);
}

}  // namespace llcuda::cuda
