// Programmatic dependent launch (sm_90+): a kernel of the decode chain may start while the kernel
// before it still runs, so its launch, its blocks' start and the fetch of its weights overlap the
// previous kernel instead of following it. Every kernel launched with launch_dependent() must call
// wait_for_previous_kernel() before it touches any memory that an earlier kernel writes or reads
// (activations, the KV cache, step metadata); only constant data (weights) may be touched before.
// It then lets the next kernel start with allow_next_kernel(). Where the code that runs has no
// griddepcontrol instructions (PTX for an older architecture JIT-compiled, or a device before sm_90),
// launches are ordinary and the device calls are no-ops (as they are in a kernel launched ordinarily).
// Only decode-sized launches overlap (at most kDecodeOverlapTokens tokens): on the H200 overlapping
// prompt steps made TinyLlama pp512 6% slower (two runs), while one-token steps gained 3%.
#pragma once

#include <utility>

#include "common.cuh"
#include "kernels.cuh"

namespace llcuda::cuda {

// Whether launches on the current device overlap (sm_90+ device and sm_90+ code running on it).
bool dependent_launches();

constexpr int kDecodeOverlapTokens = kMatVecMaxTokens;

#if defined(__CUDACC__)
__device__ __forceinline__ void wait_for_previous_kernel() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

__device__ __forceinline__ void allow_next_kernel() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

// Starts fetching bytes [p, p + n) into L2 (sm_90's bulk prefetch; nothing elsewhere). The range is
// widened to 16-byte boundaries, which stay inside the 256-byte aligned weight allocations.
__device__ __forceinline__ void prefetch_to_l2(const void *p, uint64_t n) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    const uint64_t begin = reinterpret_cast<uint64_t>(p) & ~uint64_t{15};
    const uint64_t end = (reinterpret_cast<uint64_t>(p) + n + 15) & ~uint64_t{15};
    asm volatile("cp.async.bulk.prefetch.L2.global [%0], %1;" ::"l"(begin), "r"(static_cast<uint32_t>(end - begin))
                 : "memory");
#endif
}

// kernel<<<grid, block, 0, stream>>>(args...), allowed to overlap the kernel before it when `overlap`
// (the caller's decode-sized launch) and dependent_launches() hold.
template <class... Params, class... Args>
void launch_dependent(void (*kernel)(Params...), dim3 grid, dim3 block, cudaStream_t stream, bool overlap,
                      Args &&...args) {
    cudaLaunchAttribute early_start;
    early_start.id = cudaLaunchAttributeProgrammaticStreamSerialization;
    early_start.val.programmaticStreamSerializationAllowed = 1;
    cudaLaunchConfig_t config{};
    config.gridDim = grid;
    config.blockDim = block;
    config.dynamicSmemBytes = 0;
    config.stream = stream;
    config.attrs = &early_start;
    config.numAttrs = overlap && dependent_launches() ? 1 : 0;
    LLCUDA_CUDA_CHECK(cudaLaunchKernelEx(&config, kernel, std::forward<Args>(args)...));
}
#endif

}  // namespace llcuda::cuda
