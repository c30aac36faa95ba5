// SwiGLU activation of the feed-forward block: gate = silu(gate) * up, in place.
#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

__global__ void swiglu_kernel(float *__restrict__ gate, const float *__restrict__ up, int64_t n) {
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const float g = gate[i];
        gate[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

}  // namespace

void swiglu(float *gate, const float *up, int64_t n, cudaStream_t stream) {
    if (n == 0) return;
    const int64_t blocks = (n + 255) / 256;
    swiglu_kernel<<<static_cast<unsigned>(blocks < 65535 ? blocks : 65535), 256, 0, stream>>>(gate, up, n);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
