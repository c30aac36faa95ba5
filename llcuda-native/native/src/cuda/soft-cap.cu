// Soft-capping of logits (gemma2): x = cap * tanh(x / cap), element-wise in place.
#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

__global__ void soft_cap_kernel(float *__restrict__ x, int64_t n, float cap) {
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        x[i] = cap * tanhf(x[i] / cap);
    }
}

}  // namespace

void soft_cap(float *x, int64_t n, float cap, cudaStream_t stream) {
    require(cap > 0.0f, "soft_cap: cap " + std::to_string(cap) + " must be positive");
    if (n == 0) return;
    constexpr int kThreads = 256, kMaxBlocks = 4096;  // grid-stride beyond 1M elements
    const int blocks = static_cast<int>(std::min<int64_t>(kMaxBlocks, (n + kThreads - 1) / kThreads));
    soft_cap_kernel<<<blocks, kThreads, 0, stream>>>(x, n, cap);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
