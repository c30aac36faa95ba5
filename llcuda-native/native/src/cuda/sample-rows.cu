// Sampling with allowed-token masks, penalties, temperature, top-k, top-p and min-p on the GPU: the
// algorithm of sample-row.h run by one block of 1024 threads per row, so only the token and its
// log-probability cross PCIe. The head of the candidate order (up to 1024) is sorted in shared
// memory. Rows go in launches of at most kRowsPerLaunch, which bounds the scratch (16 bytes per
// vocabulary entry and row: 155 MB for 64 rows of a 151,936-token vocabulary).
#include <algorithm>

#include "kernels.cuh"
#include "sample-row.h"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 1024;
constexpr int kWarps = kThreads / kWarpSize;
constexpr int kRowsPerLaunch = 64;

// sample-row.h's execution over the threads of one block.
struct BlockExec {
    static constexpr int kMaxCompact = kThreads;
    double *dsum;    // [kWarps]
    uint64_t *kmax;  // [kWarps]
    int32_t *bins;   // [256]
    BinPick *picked;
    uint64_t *top_keys;  // [kMaxCompact]
    double *top_probs;   // [kMaxCompact]
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

    __device__ int32_t *zeroed_bins() const {
        __syncthreads();  // every thread is past its reads of the previous pass
        if (threadIdx.x < 256) bins[threadIdx.x] = 0;
        __syncthreads();
        return bins;
    }

    // The top bytes of nearby logits coincide, so the lanes of a warp that share a bin add once.
    // Every lane of the warp calls it (sample-row.h's loops run warp-uniformly; bin < 0: none).
    __device__ void count_in_bin(int32_t *b, int bin) const {
        const unsigned peers = __match_any_sync(0xffffffffu, bin);
        if (bin >= 0 && threadIdx.x % kWarpSize == __ffs(peers) - 1) atomicAdd(&b[bin], __popc(peers));
    }

    // Warp 0: lane l holds bins 255 - 8l .. 248 - 8l; a scan over the lanes finds the lane whose
    // bins reach `need`, which then walks its eight.
    __device__ BinPick pick_bin(const int32_t *b, int need) const {
        if (threadIdx.x < kWarpSize) {
            const int lane = threadIdx.x, hi = 255 - 8 * lane;
            int own = 0;
#pragma unroll
            for (int j = 0; j < 8; ++j) own += b[hi - j];
            int upto = own;  // bins from 255 down to hi - 7
#pragma unroll
            for (int o = 1; o < kWarpSize; o <<= 1) {
                const int other = __shfl_up_sync(0xffffffffu, upto, o);
                if (lane >= o) upto += other;
            }
            const unsigned reached = __ballot_sync(0xffffffffu, upto >= need);
            if (lane == __ffs(reached) - 1) {
                int count = upto - own;
                for (int j = 0; j < 8; ++j) {
                    const int c = b[hi - j];
                    if (count + c >= need) {
                        *picked = {hi - j, count, c};
                        break;
                    }
                    count += c;
                }
            }
        }
        __syncthreads();
        return *picked;
    }

    // Keys >= key_min to shared memory, sorted by a bitonic network (padded with key 0, which no
    // token has), then their probabilities gathered.
    __device__ Candidates sorted_head(const uint64_t *keys, const double *probs, int n, uint64_t key_min) const {
        __syncthreads();
        if (threadIdx.x == 0) *n_top = 0;
        __syncthreads();
        for (int i = threadIdx.x; i < n; i += kThreads) {
            if (keys[i] < key_min) continue;
            const int at = atomicAdd(n_top, 1);
            if (at < kMaxCompact) top_keys[at] = keys[i];
        }
        __syncthreads();
        const int count = min(*n_top, kMaxCompact);
        int width = 1;
        while (width < count) width <<= 1;
        if (threadIdx.x >= count && threadIdx.x < width) top_keys[threadIdx.x] = 0;
        for (int size = 2; size <= width; size <<= 1) {
            for (int stride = size / 2; stride > 0; stride >>= 1) {
                __syncthreads();
                const int i = threadIdx.x, j = i ^ stride;
                if (j > i && j < width) {
                    const uint64_t a = top_keys[i], c = top_keys[j];
                    if ((i & size) == 0 ? a < c : a > c) {
                        top_keys[i] = c;
                        top_keys[j] = a;
                    }
                }
            }
        }
        __syncthreads();
        if (threadIdx.x < count) top_probs[threadIdx.x] = probs[key_id(top_keys[threadIdx.x])];
        __syncthreads();
        return {top_keys, top_probs, count};
    }
};

__global__ void __launch_bounds__(kThreads, 1)
    sample_rows_kernel(const SampleRow *__restrict__ specs, const int32_t *__restrict__ history,
                       const uint32_t *__restrict__ allowed, float *__restrict__ logits, int n_vocab,
                       uint8_t *__restrict__ scratch, int32_t *__restrict__ tokens, float *__restrict__ logprobs) {
    __shared__ double dsum[kWarps];
    __shared__ uint64_t kmax[kWarps];
    __shared__ int32_t bins[256];
    __shared__ BinPick picked;
    __shared__ uint64_t top_keys[kThreads];
    __shared__ double top_probs[kThreads];
    __shared__ int n_top;
    const SampleRow spec = specs[blockIdx.x];
    // The row's scratch: keys (first used as the penalty counts), then probabilities.
    auto *keys = reinterpret_cast<uint64_t *>(scratch + static_cast<size_t>(blockIdx.x) * n_vocab * 16);
    auto *probs = reinterpret_cast<double *>(keys + n_vocab);
    BlockExec ex{dsum, kmax, bins, &picked, top_keys, top_probs, &n_top};
    const SampledPick pick = sample_row(ex, logits + static_cast<int64_t>(spec.row) * n_vocab, n_vocab, spec.params,
                                        history + spec.history_offset, spec.n_history, spec.position, keys, probs,
                                        reinterpret_cast<int32_t *>(keys),
                                        spec.allowed_offset >= 0 ? allowed + spec.allowed_offset : nullptr);
    if (threadIdx.x == 0) {
        tokens[spec.row] = pick.token;
        logprobs[spec.row] = pick.logprob;
    }
}

}  // namespace

size_t sample_rows_scratch_bytes(int n_rows, int n_vocab) {
    return static_cast<size_t>(std::min(n_rows, kRowsPerLaunch)) * n_vocab * (sizeof(uint64_t) + sizeof(double));
}

void sample_rows(const SampleRow *rows, int n_rows, const int32_t *history, const uint32_t *allowed, float *logits,
                 int n_vocab, void *scratch, int32_t *tokens, float *logprobs, cudaStream_t stream) {
    for (int first = 0; first < n_rows; first += kRowsPerLaunch) {  // each launch reuses the scratch
        const int n = std::min(kRowsPerLaunch, n_rows - first);
        sample_rows_kernel<<<n, kThreads, 0, stream>>>(rows + first, history, allowed, logits, n_vocab,
                                                       static_cast<uint8_t *>(scratch), tokens, logprobs);
        LLCUDA_CUDA_CHECK_LAUNCH();
    }
}

}  // namespace llcuda::cuda
