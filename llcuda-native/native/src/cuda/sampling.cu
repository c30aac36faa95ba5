// Greedy sampling on the GPU, one block per output row: the argmax over the finite logits (lowest
// index on ties, as on the CPU) and its log-probability under the softmax of the finite logits;
// LLCUDA_SAMPLE_NO_FINITE_LOGIT for a row without one. Only these two numbers per sequence travel
// back over PCIe. Masked greedy does the same over the tokens a row's allowed-token mask keeps
// (the host Sampler's greedy choice with that mask), so greedy constrained decoding never needs
// the full sampler.
#include <cmath>

#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ bool is_allowed(const uint32_t *allowed, int i) {
    return allowed == nullptr || (allowed[i >> 5] >> (i & 31) & 1u) != 0;
}

// The greedy pick of one row by the whole block; `allowed` (may be null): the row's mask.
__device__ void greedy_row(const float *__restrict__ row, int n_vocab, const uint32_t *__restrict__ allowed,
                           int32_t *token, float *logprob) {
    float best = -INFINITY;  // with best_i = n_vocab: no finite logit yet
    int best_i = n_vocab;
    for (int i = threadIdx.x; i < n_vocab; i += kThreads) {
        const float v = row[i];
        if (isfinite(v) && v > best && is_allowed(allowed, i)) {
            best = v;
            best_i = i;
        }
    }
    // Warp then block reduction of (value, index), preferring the lower index on ties.
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        const float ov = __shfl_xor_sync(0xffffffffu, best, o);
        const int oi = __shfl_xor_sync(0xffffffffu, best_i, o);
        if (ov > best || (ov == best && oi < best_i)) {
            best = ov;
            best_i = oi;
        }
    }
    __shared__ float sv[kThreads / kWarpSize];
    __shared__ int si[kThreads / kWarpSize];
    __shared__ float ssum[kThreads / kWarpSize];
    const int warp = threadIdx.x / kWarpSize, lane = threadIdx.x % kWarpSize;
    if (lane == 0) {
        sv[warp] = best;
        si[warp] = best_i;
    }
    __syncthreads();
    best = sv[0];
    best_i = si[0];
    for (int i = 1; i < kThreads / kWarpSize; ++i)
        if (sv[i] > best || (sv[i] == best && si[i] < best_i)) {
            best = sv[i];
            best_i = si[i];
        }
    float sum = 0.0f;
    for (int i = threadIdx.x; i < n_vocab; i += kThreads)
        if (isfinite(row[i]) && is_allowed(allowed, i)) sum += expf(row[i] - best);
    sum = warp_sum(sum);
    if (lane == 0) ssum[warp] = sum;
    __syncthreads();
    if (threadIdx.x == 0) {
        float total = 0.0f;
        for (int i = 0; i < kThreads / kWarpSize; ++i) total += ssum[i];
        const bool found = best_i < n_vocab;
        *token = found ? best_i : LLCUDA_SAMPLE_NO_FINITE_LOGIT;
        if (logprob) *logprob = found ? -logf(total) : 0.0f;
    }
}

__global__ void __launch_bounds__(kThreads) greedy_kernel(const float *__restrict__ logits, int n_vocab,
                                                          int32_t *__restrict__ tokens, float *__restrict__ logprobs) {
    greedy_row(logits + static_cast<int64_t>(blockIdx.x) * n_vocab, n_vocab, nullptr, tokens + blockIdx.x,
               logprobs ? logprobs + blockIdx.x : nullptr);
}

__global__ void __launch_bounds__(kThreads)
    masked_greedy_kernel(const SampleRow *__restrict__ specs, const uint32_t *__restrict__ allowed,
                         const float *__restrict__ logits, int n_vocab, int32_t *__restrict__ tokens,
                         float *__restrict__ logprobs) {
    const SampleRow spec = specs[blockIdx.x];
    greedy_row(logits + static_cast<int64_t>(spec.row) * n_vocab, n_vocab,
               spec.allowed_offset >= 0 ? allowed + spec.allowed_offset : nullptr, tokens + spec.row,
               logprobs + spec.row);
}

}  // namespace

void sample_greedy(const float *logits, int n_rows, int n_vocab, int32_t *tokens, float *logprobs,
                   cudaStream_t stream) {
    if (n_rows == 0) return;
    greedy_kernel<<<n_rows, kThreads, 0, stream>>>(logits, n_vocab, tokens, logprobs);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

void sample_greedy_masked(const SampleRow *rows, int n_rows, const uint32_t *allowed, const float *logits, int n_vocab,
                          int32_t *tokens, float *logprobs, cudaStream_t stream) {
    if (n_rows == 0) return;
    masked_greedy_kernel<<<n_rows, kThreads, 0, stream>>>(rows, allowed, logits, n_vocab, tokens, logprobs);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
