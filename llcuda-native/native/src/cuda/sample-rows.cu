// Sampling with penalties, temperature, top-k, top-p and min-p on the GPU: the algorithm of
// sample-row.h run by one block of 1024 threads per row, so only the token and its log-probability
// cross PCIe. A top-k of at most 1024 candidates moves to shared memory before the searches.
#include "kernels.cuh"
#include "sample-row.h"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 1024;
constexpr int kWarps = kThreads / kWarpSize;

// sample-row.h's execution over the threads of one block.
struct BlockExec {
    static constexpr int kMaxCompact = kThreads;
    double *dsum;          // [kWarps]
    uint64_t *kmax;        // [kWarps]
    uint64_t *top_keys;    // [kMaxCompact]
    double *top_probs;     // [kMaxCompact]
    int *n_top;

    __device__ int first() const { return threadIdx.x; }
    __device__ int stride() const { return kThreads; }
    __device__ void sync() const { __syncthreads(); }
    __device__ void add_count(int32_t *c) const { atomicAdd(c, 1); }

    __device__ double sum(double v) const {
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
        __syncthreads();  // the scratch is free from its previous use
        if (threadIdx.x % kWarpSize == 0) dsum[threadIdx.x / kWarpSize] = v;
        __syncthreads();
        double total = 0.0;
#pragma unroll 8
        for (int i = 0; i < kWarps; ++i) total += dsum[i];
        return total;
    }

    __device__ uint64_t max_key(uint64_t v) const {
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) {
            const uint64_t other = __shfl_xor_sync(0xffffffffu, v, o);
            v = other > v ? other : v;
        }
        __syncthreads();
        if (threadIdx.x % kWarpSize == 0) kmax[threadIdx.x / kWarpSize] = v;
        __syncthreads();
        uint64_t best = 0;
        for (int i = 0; i < kWarps; ++i) best = kmax[i] > best ? kmax[i] : best;
        return best;
    }

    __device__ Candidates compact(const uint64_t *keys, const double *probs, int n, uint64_t key_min) const {
        __syncthreads();
        if (threadIdx.x == 0) *n_top = 0;
        __syncthreads();
        for (int i = threadIdx.x; i < n; i += kThreads) {
            if (keys[i] < key_min) continue;
            const int at = atomicAdd(n_top, 1);
            top_keys[at] = keys[i];
            top_probs[at] = probs[i];
        }
        __syncthreads();
        return {top_keys, top_probs, *n_top};
    }
};

__global__ void __launch_bounds__(kThreads, 1)
sample_rows_kernel(const SampleRow *__restrict__ specs, const int32_t *__restrict__ history, float *__restrict__ logits,
                   int n_vocab, uint8_t *__restrict__ scratch, int32_t *__restrict__ tokens, float *__restrict__ logprobs) {
    __shared__ double dsum[kWarps];
    __shared__ uint64_t kmax[kWarps];
    __shared__ uint64_t top_keys[kThreads];
    __shared__ double top_probs[kThreads];
    __shared__ int n_top;
    const SampleRow spec = specs[blockIdx.x];
    // The row's scratch: keys (first used as the penalty counts), then probabilities.
    auto *keys = reinterpret_cast<uint64_t *>(scratch + static_cast<size_t>(blockIdx.x) * n_vocab * 16);
    auto *probs = reinterpret_cast<double *>(keys + n_vocab);
    BlockExec ex{dsum, kmax, top_keys, top_probs, &n_top};
    const SampledPick pick = sample_row(ex, logits + static_cast<int64_t>(spec.row) * n_vocab, n_vocab, spec.params,
                                        history + spec.history_offset, spec.n_history, spec.position, keys, probs,
                                        reinterpret_cast<int32_t *>(keys));
    if (threadIdx.x == 0) {
        tokens[spec.row] = pick.token;
        logprobs[spec.row] = pick.logprob;
    }
}

}  // namespace

size_t sample_rows_scratch_bytes(int n_rows, int n_vocab) {
    return static_cast<size_t>(n_rows) * n_vocab * (sizeof(uint64_t) + sizeof(double));
}

void sample_rows(const SampleRow *rows, int n_rows, const int32_t *history, float *logits, int n_vocab,
                 void *scratch, int32_t *tokens, float *logprobs, cudaStream_t stream) {
    if (n_rows == 0) return;
    require(n_rows <= 65535, "sample_rows: " + std::to_string(n_rows) + " rows, at most 65535");
    sample_rows_kernel<<<n_rows, kThreads, 0, stream>>>(rows, history, logits, n_vocab, static_cast<uint8_t *>(scratch),
                                                        tokens, logprobs);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
