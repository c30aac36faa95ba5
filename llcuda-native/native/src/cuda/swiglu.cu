// SwiGLU activation of the feed-forward block: out = silu(gate) * up, gate and up read from the
// fused gate|up product (one row of both per token).
#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

__global__ void swiglu_kernel(const float *__restrict__ gate, const float *__restrict__ up, int n, int ld,
                              float *__restrict__ out) {
    const int64_t t = blockIdx.y;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        const float g = gate[t * ld + i];
        out[t * n + i] = g / (1.0f + expf(-g)) * up[t * ld + i];
    }
}

}  // namespace

void swiglu(const float *gate, const float *up, int n_tokens, int n, int ld, float *out,
            cudaStream_t stream) {
    if (n_tokens == 0) return;
    require(n_tokens <= 65535, "swiglu: " + std::to_string(n_tokens) + " tokens in one step, at most 65535");
    const dim3 grid(ceil_div(n, 256), n_tokens);
    swiglu_kernel<<<grid, 256, 0, stream>>>(gate, up, n, ld, out);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
