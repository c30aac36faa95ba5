// LayerNorm of the encoders, one block per row, with the residual (or, for the input embeddings,
// the position rows and the token-type row) added first: the sum is written back, then its mean and
// its variance about that mean are reduced in two passes (the sum of squares less the squared mean
// would cancel for rows far from zero), then the row is normalised in place.
#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads)
    layer_norm_kernel(float *__restrict__ x, const float *__restrict__ add, const float *__restrict__ add_row, int n,
                      const float *__restrict__ w, const float *__restrict__ b, float eps) {
    const int64_t row = static_cast<int64_t>(blockIdx.x) * n;
    float4 *xr = reinterpret_cast<float4 *>(x + row);
    const float4 *ar = add ? reinterpret_cast<const float4 *>(add + row) : nullptr;
    const float4 *rr = reinterpret_cast<const float4 *>(add_row);
    const int n4 = n / 4;
    float sum = 0.0f;
    for (int i = threadIdx.x; i < n4; i += kThreads) {  // each thread revisits only its own elements
        float4 v = xr[i];
        if (ar) {
            const float4 a = ar[i];
            v.x += a.x;
            v.y += a.y;
            v.z += a.z;
            v.w += a.w;
        }
        if (rr) {
            const float4 a = rr[i];
            v.x += a.x;
            v.y += a.y;
            v.z += a.z;
            v.w += a.w;
        }
        xr[i] = v;
        sum += (v.x + v.y) + (v.z + v.w);
    }
    const float mean = block_sum<kThreads>(sum) / n;
    float ss = 0.0f;
    for (int i = threadIdx.x; i < n4; i += kThreads) {
        const float4 v = xr[i];
        const float d0 = v.x - mean, d1 = v.y - mean, d2 = v.z - mean, d3 = v.w - mean;
        ss += (d0 * d0 + d1 * d1) + (d2 * d2 + d3 * d3);
    }
    const float inv = rsqrtf(block_sum<kThreads>(ss) / n + eps);
    const float4 *w4 = reinterpret_cast<const float4 *>(w), *b4 = reinterpret_cast<const float4 *>(b);
    for (int i = threadIdx.x; i < n4; i += kThreads) {
        const float4 v = xr[i], wv = w4[i], bv = b4[i];
        xr[i] = make_float4((v.x - mean) * inv * wv.x + bv.x, (v.y - mean) * inv * wv.y + bv.y,
                            (v.z - mean) * inv * wv.z + bv.z, (v.w - mean) * inv * wv.w + bv.w);
    }
}

}  // namespace

void layer_norm(float *x, const float *add, const float *add_row, int n_rows, int n, const float *w, const float *b,
                float eps, cudaStream_t stream) {
    require(n % 4 == 0 && n > 0, "layer_norm: row length " + std::to_string(n) + " is not a positive multiple of 4");
    require(w != nullptr && b != nullptr, "layer_norm: weight and bias are needed");
    if (n_rows == 0) return;
    layer_norm_kernel<<<n_rows, kThreads, 0, stream>>>(x, add, add_row, n, w, b, eps);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
