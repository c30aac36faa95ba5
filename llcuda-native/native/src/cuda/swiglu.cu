// Gated activation of the feed-forward block: out = act(gate) * up with act SiLU (SwiGLU) or GELU's
// tanh approximation (gemma's GeGLU), gate and up read from the fused gate|up product (one row of both per token);
// optionally also quantized for the decode products (one thread per 16-element chunk then). And bert's ungated FFN
// activation: bias, then GELU. Part of the decode chain that overlaps on sm_90 (dependent-launch.cuh).
#include "dependent-launch.cuh"
#include "kernels.cuh"
#include "q8-activations.cuh"

namespace llcuda::cuda {
namespace {

template <GateActivation ACT>
__device__ __forceinline__ float act_times(float g, float u) {
    if constexpr (ACT == GateActivation::Silu) {
        return g / (1.0f + expf(-g)) * u;
    } else {
        constexpr float kSqrt2OverPi = 0.7978845608028654f, kCubic = 0.044715f;
        return 0.5f * g * (1.0f + tanhf(kSqrt2OverPi * g * (1.0f + kCubic * g * g))) * u;
    }
}

template <GateActivation ACT>
__global__ void swiglu_kernel(const float *__restrict__ gate, const float *__restrict__ up, int n, int ld,
                              float *__restrict__ out) {
    allow_next_kernel();
    wait_for_previous_kernel();
    const int64_t t = blockIdx.y;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        out[t * n + i] = act_times<ACT>(gate[t * ld + i], up[t * ld + i]);
    }
}

template <GateActivation ACT>
__global__ void swiglu_q8_kernel(const float *__restrict__ gate, const float *__restrict__ up, int n, int ld,
                                 float *__restrict__ out, uint8_t *__restrict__ q, float2 *__restrict__ ds) {
    allow_next_kernel();
    wait_for_previous_kernel();
    const int64_t t = blockIdx.y;
    const int n_chunks = n / 16;
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= n_chunks) return;
    const float4 *g4 = reinterpret_cast<const float4 *>(gate + t * ld + 16 * c);
    const float4 *u4 = reinterpret_cast<const float4 *>(up + t * ld + 16 * c);
    float4 *o4 = reinterpret_cast<float4 *>(out + t * n + 16 * c);
    float4 g[4], u[4];
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        g[i] = g4[i];
        u[i] = u4[i];
    }  // all loads in flight first
    float v[16];
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        v[4 * i] = act_times<ACT>(g[i].x, u[i].x);
        v[4 * i + 1] = act_times<ACT>(g[i].y, u[i].y);
        v[4 * i + 2] = act_times<ACT>(g[i].z, u[i].z);
        v[4 * i + 3] = act_times<ACT>(g[i].w, u[i].w);
        o4[i] = make_float4(v[4 * i], v[4 * i + 1], v[4 * i + 2], v[4 * i + 3]);
    }
    const int64_t chunk = t * n_chunks + c;
    quantize_chunk16(v, q + 32 * chunk, ds + chunk);
}

__global__ void add_bias_kernel(float *__restrict__ x, int n, int ld, const float *__restrict__ bias, bool gelu) {
    const int64_t t = blockIdx.y;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        const float v = x[t * ld + i] + (bias ? bias[i] : 0.0f);
        x[t * ld + i] = gelu ? act_times<GateActivation::GeluTanh>(v, 1.0f) : v;
    }
}

template <GateActivation ACT>
void launch_swiglu(const float *gate, const float *up, int n_tokens, int n, int ld, float *out, cudaStream_t stream,
                   const Q8Activations *outq) {
    const bool overlap = n_tokens <= kDecodeOverlapTokens;
    if (outq) {
        launch_dependent(swiglu_q8_kernel<ACT>, dim3(ceil_div(n / 16, 64), n_tokens), dim3(64), stream, overlap, gate,
                         up, n, ld, out, outq->q, outq->ds);
    } else {
        launch_dependent(swiglu_kernel<ACT>, dim3(ceil_div(n, 256), n_tokens), dim3(256), stream, overlap, gate, up, n,
                         ld, out);
    }
}

}  // namespace

void swiglu(const float *gate, const float *up, int n_tokens, int n, int ld, float *out, cudaStream_t stream,
            const Q8Activations *outq, GateActivation activation) {
    if (n_tokens == 0) return;
    require(n_tokens <= 65535, "swiglu: " + std::to_string(n_tokens) + " tokens in one step, at most 65535");
    if (outq) {
        require(n % 16 == 0 && ld % 4 == 0, "swiglu: 8-bit output needs rows of a multiple of 16 (got " +
                                                std::to_string(n) + ", stride " + std::to_string(ld) + ")");
        require(outq->k == n, "swiglu: 8-bit output rows of " + std::to_string(outq->k) + " elements for rows of " +
                                  std::to_string(n));
    }
    if (activation == GateActivation::Silu) {
        launch_swiglu<GateActivation::Silu>(gate, up, n_tokens, n, ld, out, stream, outq);
    } else {
        launch_swiglu<GateActivation::GeluTanh>(gate, up, n_tokens, n, ld, out, stream, outq);
    }
}

void add_bias(float *x, int n_tokens, int n, int ld, const float *bias, bool gelu, cudaStream_t stream) {
    if (n_tokens == 0 || (bias == nullptr && !gelu)) return;
    require(n_tokens <= 65535, "add_bias: " + std::to_string(n_tokens) + " tokens in one step, at most 65535");
    add_bias_kernel<<<dim3(ceil_div(n, 256), n_tokens), 256, 0, stream>>>(x, n, ld, bias, gelu);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
