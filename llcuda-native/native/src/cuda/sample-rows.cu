// Sampling with penalties, temperature, top-k, top-p and min-p on the GPU: the same function as the
// host Sampler (sampling.h), one block per row, so only the token and its log-probability cross
// PCIe. Candidates are never sorted: every token gets a 64-bit key that orders them as the host
// does (higher scaled logit first, lower id on ties), and each cut the host finds by walking the
// sorted list (the k-th candidate, the smallest prefix reaching top_p of the mass, the first
// candidate whose cumulative probability passes the draw) is found as the largest key whose
// "sum over keys >= it" passes the test: 64 block-wide sums, one per key bit, over the vocabulary
// or, after a top-k of at most one block, over the k candidates in shared memory. Probabilities are
// exp(double) of the scaled logits relative to the largest, as on the host; only the order of
// additions differs (a draw could change only at a boundary within ~1e-16 of the total).
#include "kernels.cuh"
#include "rng.h"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 1024;
constexpr int kWarps = kThreads / kWarpSize;

// Monotone in the float order, -0 taken as +0 (the host compares them equal).
__device__ __forceinline__ uint32_t ordered_bits(float f) {
    const uint32_t u = __float_as_uint(f + 0.0f);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

// Larger key = earlier in the host's candidate order.
__device__ __forceinline__ uint64_t candidate_key(float scaled, int id) {
    return (static_cast<uint64_t>(ordered_bits(scaled)) << 32) | (0xffffffffu - static_cast<uint32_t>(id));
}

__device__ __forceinline__ int key_id(uint64_t key) { return static_cast<int>(0xffffffffu - static_cast<uint32_t>(key)); }

// Block-wide sum; every thread gets the result. `scratch` holds kWarps doubles.
__device__ double block_sum(double v, double *scratch) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    const int warp = threadIdx.x / kWarpSize, lane = threadIdx.x % kWarpSize;
    __syncthreads();  // scratch free from the previous use
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    double total = 0.0;
#pragma unroll 8
    for (int i = 0; i < kWarps; ++i) total += scratch[i];
    return total;
}

__device__ uint64_t block_max_key(uint64_t v, uint64_t *scratch) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        const uint64_t other = __shfl_xor_sync(0xffffffffu, v, o);
        v = other > v ? other : v;
    }
    const int warp = threadIdx.x / kWarpSize, lane = threadIdx.x % kWarpSize;
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    uint64_t best = 0;
    for (int i = 0; i < kWarps; ++i) best = scratch[i] > best ? scratch[i] : best;
    return best;
}

// The host's candidate filters as one predicate over a token: key at least `key_min`, probability
// at least `p_min` (min-p; 0 when off).
struct CandidateSet {
    uint64_t key_min = 0;
    double p_min = 0.0;
};

// Candidates as parallel arrays: the row's scratch in global memory, or the top-k few compacted
// into shared memory (generic pointers serve both).
struct Candidates {
    const uint64_t *key;
    const double *prob;
    int n;
};

// Sum of prob (or of 1 with `count`) over the candidates in `set` whose key is at least `at`.
__device__ double mass_from(const Candidates &c, const CandidateSet &set, uint64_t at, bool count, double *scratch) {
    double s = 0.0;
    for (int i = threadIdx.x; i < c.n; i += kThreads) {
        const uint64_t key = c.key[i];
        if (key >= at && key >= set.key_min && c.prob[i] >= set.p_min) s += count ? 1.0 : c.prob[i];
    }
    return block_sum(s, scratch);
}

// The largest key K with mass_from(K) > target (strict) or >= target; 0 when even the whole set
// does not pass (no real key is 0: the caller then takes every candidate, as the host's walk runs
// off the end).
__device__ uint64_t largest_key_reaching(const Candidates &c, const CandidateSet &set, double target, bool strict,
                                         bool count, double *scratch) {
    uint64_t k = 0;
    for (int bit = 63; bit >= 0; --bit) {
        const uint64_t candidate = k | (1ull << bit);
        const double m = mass_from(c, set, candidate, count, scratch);
        if (strict ? m > target : m >= target) k = candidate;
    }
    return k;
}

__global__ void __launch_bounds__(kThreads, 1)
sample_rows_kernel(const SampleRow *__restrict__ specs, const int32_t *__restrict__ history, float *__restrict__ logits,
                   int n_vocab, uint8_t *__restrict__ scratch, int32_t *__restrict__ tokens, float *__restrict__ logprobs) {
    __shared__ double dscratch[kWarps];
    __shared__ uint64_t kscratch[kWarps];
    __shared__ uint64_t top_keys[kThreads];
    __shared__ double top_probs[kThreads];
    __shared__ int n_top;
    const SampleRow spec = specs[blockIdx.x];
    const llcuda_sampling_params &p = spec.params;
    float *row = logits + static_cast<int64_t>(spec.row) * n_vocab;
    // The row's scratch: keys (first used as the penalty counts), then probabilities.
    uint64_t *keys = reinterpret_cast<uint64_t *>(scratch + static_cast<size_t>(blockIdx.x) * n_vocab * 16);
    double *probs = reinterpret_cast<double *>(keys + n_vocab);

    // 1. Penalties, once per distinct history token with its count (as the host).
    const bool penalties = p.repetition_penalty != 1.0f || p.frequency_penalty != 0.0f || p.presence_penalty != 0.0f;
    if (penalties && spec.n_history > 0) {
        int32_t *counts = reinterpret_cast<int32_t *>(keys);
        for (int i = threadIdx.x; i < n_vocab; i += kThreads) counts[i] = 0;
        __syncthreads();
        for (int i = threadIdx.x; i < spec.n_history; i += kThreads) atomicAdd(&counts[history[spec.history_offset + i]], 1);
        __syncthreads();
        for (int i = threadIdx.x; i < n_vocab; i += kThreads) {
            const int c = counts[i];
            if (c == 0) continue;
            float l = row[i];
            l = l > 0.0f ? __fdiv_rn(l, p.repetition_penalty) : __fmul_rn(l, p.repetition_penalty);
            row[i] = __fsub_rn(l, __fadd_rn(__fmul_rn(static_cast<float>(c), p.frequency_penalty), p.presence_penalty));
        }
        __syncthreads();
    }

    // 2. Temperature 0: the highest (penalized) logit, lowest id on ties; log-probability under softmax.
    if (p.temperature <= 0.0f) {
        uint64_t best = 0;
        for (int i = threadIdx.x; i < n_vocab; i += kThreads) {
            const uint64_t key = candidate_key(row[i], i);
            best = key > best ? key : best;
        }
        best = block_max_key(best, kscratch);
        const int id = key_id(best);
        const double top = row[id];
        double s = 0.0;
        for (int i = threadIdx.x; i < n_vocab; i += kThreads) s += exp(static_cast<double>(row[i]) - top);
        s = block_sum(s, dscratch);
        if (threadIdx.x == 0) {
            tokens[spec.row] = id;
            logprobs[spec.row] = static_cast<float>(-log(s));
        }
        return;
    }

    // 3. Keys and probabilities of the scaled logits (relative to the most probable token).
    const float t = p.temperature;
    uint64_t best = 0;
    for (int i = threadIdx.x; i < n_vocab; i += kThreads) {
        keys[i] = candidate_key(row[i] / t, i);
        best = keys[i] > best ? keys[i] : best;
    }
    best = block_max_key(best, kscratch);
    const double top = row[key_id(best)] / t;
    for (int i = threadIdx.x; i < n_vocab; i += kThreads) probs[i] = exp(static_cast<double>(row[i] / t) - top);
    __syncthreads();
    Candidates all{keys, probs, n_vocab};

    // 4. top-k: the k-th candidate's key bounds the set; a set that fits one block moves to shared
    //    memory, so the searches below run over k values instead of the vocabulary.
    CandidateSet set;
    if (p.top_k > 0 && p.top_k < n_vocab) {
        set.key_min = largest_key_reaching(all, set, static_cast<double>(p.top_k), false, true, dscratch);
        if (p.top_k <= kThreads) {
            if (threadIdx.x == 0) n_top = 0;
            __syncthreads();
            for (int i = threadIdx.x; i < n_vocab; i += kThreads) {
                if (keys[i] < set.key_min) continue;
                const int at = atomicAdd(&n_top, 1);
                top_keys[at] = keys[i];
                top_probs[at] = probs[i];
            }
            __syncthreads();
            all = Candidates{top_keys, top_probs, n_top};
        }
    }
    const double total = mass_from(all, set, 0, false, dscratch);  // top-p's reference
    // 5. min-p keeps p >= min_p * p_max (p_max = 1); 6. top-p: the smallest prefix reaching top_p of total.
    if (p.min_p > 0.0f) set.p_min = p.min_p;
    if (p.top_p < 1.0f) {
        const uint64_t cut = largest_key_reaching(all, set, static_cast<double>(p.top_p) * total, false, false, dscratch);
        set.key_min = cut > set.key_min ? cut : set.key_min;
    }
    const double kept = mass_from(all, set, 0, false, dscratch);

    // 7. The draw: the first candidate whose cumulative probability exceeds u * kept; the last one
    //    when rounding leaves the threshold at or past the end.
    const double threshold = static_cast<double>(sampling_uniform(p.seed, spec.position)) * kept;
    uint64_t chosen = largest_key_reaching(all, set, threshold, true, false, dscratch);
    if (chosen == 0) {
        uint64_t smallest = ~0ull;
        for (int i = threadIdx.x; i < all.n; i += kThreads) {
            const uint64_t key = all.key[i];
            if (key >= set.key_min && all.prob[i] >= set.p_min && key < smallest) smallest = key;
        }
        chosen = ~block_max_key(~smallest, kscratch);
    }
    if (threadIdx.x == 0) {
        const int id = key_id(chosen);
        tokens[spec.row] = id;
        logprobs[spec.row] = static_cast<float>(log(probs[id] / kept));
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
