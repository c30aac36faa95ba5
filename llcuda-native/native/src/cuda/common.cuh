// Shared by every CUDA file: the error-check macro, architecture limits and small warp helpers.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "error.h"

namespace llcuda::cuda {

// Turns a failed CUDA call into llcuda::Error(LLCUDA_ERR_DEVICE) naming the call and the place.
#define LLCUDA_CUDA_CHECK(call)                                                                                        \
    do {                                                                                                               \
        cudaError_t llcuda_err_ = (call);                                                                              \
        if (llcuda_err_ != cudaSuccess) {                                                                              \
            ::llcuda::fail(LLCUDA_ERR_DEVICE, std::string("CUDA error in ") + #call + " (" + __FILE__ + ":" +          \
                                                  std::to_string(__LINE__) + "): " + cudaGetErrorString(llcuda_err_)); \
        }                                                                                                              \
    } while (0)

// Checks the launch that was just enqueued (configuration errors show up here, not later).
#define LLCUDA_CUDA_CHECK_LAUNCH() LLCUDA_CUDA_CHECK(cudaGetLastError())

constexpr int kWarpSize = 32;
// Every kernel keeps its static shared memory within the 48 KB that every architecture from
// sm_75 (Tesla T4, 64 KB per SM) up gives a block without opting in.
constexpr int kMaxStaticSharedBytes = 48 * 1024;
// The oldest architecture the library is compiled for: Turing, FP16 tensor cores (no BF16 ones).
constexpr int kMinComputeMajor = 7;
constexpr int kMinComputeMinor = 5;

#if defined(__CUDACC__)
__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// The sum of v over a block of kBlockThreads threads, returned to every thread: each warp's sum,
// then the warps' sums in warp order. A kernel may call it repeatedly (the first barrier keeps a
// call from overwriting the partial sums the previous one is still reading).
template <int kBlockThreads>
__device__ __forceinline__ float block_sum(float v) {
    static_assert(kBlockThreads % kWarpSize == 0, "block_sum needs whole warps");
    __shared__ float part[kBlockThreads / kWarpSize];
    v = warp_sum(v);
    __syncthreads();
    if (threadIdx.x % kWarpSize == 0) part[threadIdx.x / kWarpSize] = v;
    __syncthreads();
    float total = 0.0f;
#pragma unroll
    for (int i = 0; i < kBlockThreads / kWarpSize; ++i) total += part[i];
    return total;
}
#endif

inline int ceil_div(int64_t a, int64_t b) {
    return static_cast<int>((a + b - 1) / b);
}

}  // namespace llcuda::cuda
