// SwiGLU activation of the feed-forward block: out = silu(gate) * up, gate and up read from the
// fused gate|up product (one row of both per token); optionally also quantized for the decode
// products (one thread per 16-element chunk then).
#include "kernels.cuh"
#include "q8-activations.cuh"

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

__global__ void swiglu_q8_kernel(const float *__restrict__ gate, const float *__restrict__ up, int n, int ld,
                                 float *__restrict__ out, uint8_t *__restrict__ q, float2 *__restrict__ ds) {
    const int64_t t = blockIdx.y;
    const int n_chunks = n / 16;
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= n_chunks) return;
    float v[16];
#pragma unroll
    for (int i = 0; i < 16; ++i) {
        const float g = gate[t * ld + 16 * c + i];
        v[i] = g / (1.0f + expf(-g)) * up[t * ld + 16 * c + i];
        out[t * n + 16 * c + i] = v[i];
    }
    const int64_t chunk = t * n_chunks + c;
    quantize_chunk16(v, q + 32 * chunk, ds + chunk);
}

}  // namespace

void swiglu(const float *gate, const float *up, int n_tokens, int n, int ld, float *out,
            cudaStream_t stream, const Q8Activations *outq) {
    if (n_tokens == 0) return;
    require(n_tokens <= 65535, "swiglu: " + std::to_string(n_tokens) + " tokens in one step, at most 65535");
    if (outq) {
        require(outq->k == n, "swiglu: 8-bit output rows of " + std::to_string(outq->k) + " elements for rows of " +
                                  std::to_string(n));
        swiglu_q8_kernel<<<dim3(ceil_div(n / 16, 128), n_tokens), 128, 0, stream>>>(gate, up, n, ld, out, outq->q,
                                                                                    outq->ds);
    } else {
        swiglu_kernel<<<dim3(ceil_div(n, 256), n_tokens), 256, 0, stream>>>(gate, up, n, ld, out);
    }
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
