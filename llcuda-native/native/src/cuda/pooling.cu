// The encoders' pooling: one block per input averages its pooled rows (pooled_rows in
// encoder_layout.h chooses them), then divides by the L2 norm of the mean. Each thread owns a
// strided set of dimensions from the sum to the final scaling, so only the norm is shared.
#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads)
    pool_kernel(const float *__restrict__ x, int n, const int32_t *__restrict__ ranges, float *__restrict__ out) {
    const int from = ranges[2 * blockIdx.x], to = ranges[2 * blockIdx.x + 1];
    float *o = out + static_cast<int64_t>(blockIdx.x) * n;
    const float inv_rows = 1.0f / static_cast<float>(to - from);
    float ss = 0.0f;
    for (int i = threadIdx.x; i < n; i += kThreads) {
        float sum = 0.0f;
        for (int r = from; r < to; ++r) sum += x[static_cast<int64_t>(r) * n + i];
        const float mean = sum * inv_rows;
        o[i] = mean;
        ss = fmaf(mean, mean, ss);
    }
    const float total = block_sum<kThreads>(ss);
    const float scale = total > 0.0f ? rsqrtf(total) : 0.0f;
    for (int i = threadIdx.x; i < n; i += kThreads) o[i] *= scale;
}

}  // namespace

void pool_and_normalise(const float *x, int n, const int32_t *ranges, int n_seqs, float *out, cudaStream_t stream) {
    require(n > 0, "pooling: row length " + std::to_string(n));
    if (n_seqs == 0) return;
    pool_kernel<<<n_seqs, kThreads, 0, stream>>>(x, n, ranges, out);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
