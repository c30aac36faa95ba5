// RMSNorm, one block per row: y = x * rsqrt(mean(x^2) + eps) * w, optionally gathering rows
// (the final norm runs only on the rows whose logits are needed).
#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads)
rms_norm_kernel(const float *__restrict__ x, const int32_t *__restrict__ rows, int n,
                const float *__restrict__ w, float eps, float *__restrict__ y) {
    const int64_t src = rows ? rows[blockIdx.x] : blockIdx.x;
    const float *xr = x + src * n;
    float ss = 0.0f;
    for (int i = threadIdx.x; i < n; i += kThreads) ss = fmaf(xr[i], xr[i], ss);
    __shared__ float part[kThreads / kWarpSize];
    ss = warp_sum(ss);
    if (threadIdx.x % kWarpSize == 0) part[threadIdx.x / kWarpSize] = ss;
    __syncthreads();
    float total = 0.0f;
#pragma unroll
    for (int i = 0; i < kThreads / kWarpSize; ++i) total += part[i];
    const float scale = rsqrtf(total / n + eps);
    float *yr = y + static_cast<int64_t>(blockIdx.x) * n;
    for (int i = threadIdx.x; i < n; i += kThreads) yr[i] = xr[i] * scale * w[i];
}

}  // namespace

void rms_norm(const float *x, const int32_t *rows, int n_rows, int n, const float *w, float eps,
              float *y, cudaStream_t stream) {
    if (n_rows == 0) return;
    rms_norm_kernel<<<n_rows, kThreads, 0, stream>>>(x, rows, n, w, eps, y);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
