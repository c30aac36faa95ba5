// The model's log-probabilities of sampled rows (what OpenAI's logprobs report): the log-softmax
// of each raw logits row over its finite logits, at the sampled token, and the most probable
// tokens, one block per row. Computes what the host's model_logprobs (sampling.h) computes: the
// normaliser in double, the top tokens by the sampler's keys (higher logit, then lower id), found
// one at a time as the largest key below the previous one (at most LLCUDA_MAX_TOP_LOGPROBS passes).
#include <cmath>

#include "kernels.cuh"
#include "sample-row.h"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / kWarpSize;

__device__ uint64_t block_max_key(uint64_t v, uint64_t *scratch) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        const uint64_t other = __shfl_xor_sync(0xffffffffu, v, o);
        v = other > v ? other : v;
    }
    __syncthreads();  // the scratch is free from its previous use
    if (threadIdx.x % kWarpSize == 0) scratch[threadIdx.x / kWarpSize] = v;
    __syncthreads();
    uint64_t best = 0;
    for (int i = 0; i < kWarps; ++i) best = scratch[i] > best ? scratch[i] : best;
    return best;
}

__device__ double block_sum(double v, double *scratch) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    __syncthreads();
    if (threadIdx.x % kWarpSize == 0) scratch[threadIdx.x / kWarpSize] = v;
    __syncthreads();
    double total = 0.0;
    for (int i = 0; i < kWarps; ++i) total += scratch[i];
    return total;
}

__global__ void __launch_bounds__(kThreads)
    model_logprobs_kernel(const float *__restrict__ rows, int n_vocab, const int32_t *__restrict__ tokens, int n_top,
                          float *__restrict__ token_logprobs, int32_t *__restrict__ top_tokens,
                          float *__restrict__ top_logprobs) {
    __shared__ uint64_t kscratch[kWarps];
    __shared__ double dscratch[kWarps];
    const float *row = rows + static_cast<int64_t>(blockIdx.x) * n_vocab;
    int32_t *row_top = top_tokens + static_cast<int64_t>(blockIdx.x) * n_top;
    float *row_top_lp = top_logprobs + static_cast<int64_t>(blockIdx.x) * n_top;
    uint64_t below = ~0ull;  // keys found so far are >= below: the next is the largest key under it
    uint64_t best = 0;
    for (int i = threadIdx.x; i < n_vocab; i += kThreads)
        if (is_finite(row[i])) best = max(best, candidate_key(row[i], i));
    best = block_max_key(best, kscratch);
    if (best == 0) {  // no finite logit
        if (threadIdx.x == 0) token_logprobs[blockIdx.x] = 0.0f;
        for (int k = threadIdx.x; k < n_top; k += kThreads) {
            row_top[k] = -1;
            row_top_lp[k] = 0.0f;
        }
        return;
    }
    const double top = row[key_id(best)];
    double s = 0.0;
    for (int i = threadIdx.x; i < n_vocab; i += kThreads)
        if (is_finite(row[i])) s += ::exp(static_cast<double>(row[i]) - top);
    const double log_total = top + ::log(block_sum(s, dscratch));
    if (threadIdx.x == 0) {
        const int token = tokens[blockIdx.x];
        token_logprobs[blockIdx.x] =
            token >= 0 && token < n_vocab && is_finite(row[token]) ? static_cast<float>(row[token] - log_total) : 0.0f;
    }
    for (int k = 0; k < n_top; ++k) {
        uint64_t next = 0;
        if (k == 0) {
            next = best;
        } else {
            for (int i = threadIdx.x; i < n_vocab; i += kThreads) {
                const uint64_t key = is_finite(row[i]) ? candidate_key(row[i], i) : 0;
                if (key < below && key > next) next = key;
            }
            next = block_max_key(next, kscratch);
        }
        if (threadIdx.x == 0) {
            row_top[k] = next != 0 ? key_id(next) : -1;
            row_top_lp[k] = next != 0 ? static_cast<float>(row[key_id(next)] - log_total) : 0.0f;
        }
        below = next;
    }
}

}  // namespace

void model_logprobs(const float *rows, int n_rows, int n_vocab, const int32_t *tokens, int n_top, float *token_logprobs,
                    int32_t *top_tokens, float *top_logprobs, cudaStream_t stream) {
    if (n_rows == 0) return;
    model_logprobs_kernel<<<n_rows, kThreads, 0, stream>>>(rows, n_vocab, tokens, n_top, token_logprobs, top_tokens,
                                                           top_logprobs);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
