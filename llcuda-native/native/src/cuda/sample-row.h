// The GPU sampler's algorithm for one logits row, written once for two executions: a block of GPU
// threads (sample-rows.cu) and a single host thread (llcuda-test-cpu checks it against the host
// Sampler, so the algorithm itself is tested wherever the tests run). It computes what the host
// Sampler (sampling.h) computes without sorting: every token gets a 64-bit key that orders the
// candidates as the host does (higher scaled logit first, lower id on ties), and each cut the host
// finds by walking its sorted list (the k-th candidate, the smallest prefix reaching top_p of the
// mass, the first candidate whose cumulative probability passes the draw) is the largest key whose
// "mass from there on" passes the test, found bit by bit (64 reductions). A top-k of at most
// Exec::kMaxCompact candidates is compacted first, so the later searches run over k values.
// Probabilities are exp(double) of the scaled logits relative to the largest, as on the host; only
// the order of additions differs (a draw could change only at a boundary within ~1e-16 of the total).
//
// Exec supplies: first()/stride() (this thread's share of a loop), sync(), sum(double) and
// max_key(uint64_t) (over all threads, every thread gets the result), add_count(int32_t *), and
// compact(keys, probs, n, key_min) -> Candidates (the tokens with key >= key_min, in any order).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "llcuda.h"
#include "rng.h"

namespace llcuda::cuda {

// Monotone in the float order, -0 taken as +0 (the host compares them equal).
LLCUDA_HD inline uint32_t ordered_bits(float f) {
    f = f + 0.0f;
#if defined(__CUDA_ARCH__)
    const uint32_t u = __float_as_uint(f);
#else
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
#endif
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

// Larger key = earlier in the host's candidate order; never 0.
LLCUDA_HD inline uint64_t candidate_key(float scaled, int id) {
    return (static_cast<uint64_t>(ordered_bits(scaled)) << 32) | (0xffffffffu - static_cast<uint32_t>(id));
}

LLCUDA_HD inline int key_id(uint64_t key) { return static_cast<int>(0xffffffffu - static_cast<uint32_t>(key)); }

// The host's penalty arithmetic, rounded step by step on both sides (no fused multiply-add).
LLCUDA_HD inline float penalized(float l, int count, const llcuda_sampling_params &p) {
#if defined(__CUDA_ARCH__)
    l = l > 0.0f ? __fdiv_rn(l, p.repetition_penalty) : __fmul_rn(l, p.repetition_penalty);
    return __fsub_rn(l, __fadd_rn(__fmul_rn(static_cast<float>(count), p.frequency_penalty), p.presence_penalty));
#else
    l = l > 0.0f ? l / p.repetition_penalty : l * p.repetition_penalty;
    return l - (static_cast<float>(count) * p.frequency_penalty + p.presence_penalty);
#endif
}

// The host's candidate filters as one predicate: key at least key_min, probability at least p_min.
struct CandidateSet {
    uint64_t key_min = 0;
    double p_min = 0.0;
};

struct Candidates {
    const uint64_t *key;
    const double *prob;
    int n;
};

struct SampledPick {
    int32_t token;
    float logprob;
};

#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
// Sum of prob (or of 1 with `count`) over the candidates in `set` whose key is at least `at`.
template <class Exec>
LLCUDA_HD double mass_from(Exec &ex, const Candidates &c, const CandidateSet &set, uint64_t at, bool count) {
    double s = 0.0;
    for (int i = ex.first(); i < c.n; i += ex.stride()) {
        const uint64_t key = c.key[i];
        if (key >= at && key >= set.key_min && c.prob[i] >= set.p_min) s += count ? 1.0 : c.prob[i];
    }
    return ex.sum(s);
}

#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
// The largest key K whose mass_from passes (> target when strict, else >= target); 0 when even
// the whole set does not (no key is 0: the caller then takes every candidate, as the host's walk
// runs off the end of its list).
template <class Exec>
LLCUDA_HD uint64_t largest_key_reaching(Exec &ex, const Candidates &c, const CandidateSet &set, double target,
                                        bool strict, bool count) {
    uint64_t k = 0;
    for (int bit = 63; bit >= 0; --bit) {
        const uint64_t candidate = k | (1ull << bit);
        const double m = mass_from(ex, c, set, candidate, count);
        if (strict ? m > target : m >= target) k = candidate;
    }
    return k;
}

#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
// Samples one row: `row` is penalized in place; keys, probs ([n_vocab] each) and counts ([n_vocab],
// may alias keys) are scratch.
template <class Exec>
LLCUDA_HD SampledPick sample_row(Exec &ex, float *row, int n_vocab, const llcuda_sampling_params &p,
                                 const int32_t *history, int n_history, int32_t position, uint64_t *keys,
                                 double *probs, int32_t *counts) {
    // 1. Penalties, once per distinct history token with its count.
    const bool penalties = p.repetition_penalty != 1.0f || p.frequency_penalty != 0.0f || p.presence_penalty != 0.0f;
    if (penalties && n_history > 0) {
        for (int i = ex.first(); i < n_vocab; i += ex.stride()) counts[i] = 0;
        ex.sync();
        for (int i = ex.first(); i < n_history; i += ex.stride()) ex.add_count(&counts[history[i]]);
        ex.sync();
        for (int i = ex.first(); i < n_vocab; i += ex.stride())
            if (counts[i] > 0) row[i] = penalized(row[i], counts[i], p);
        ex.sync();
    }

    // 2. Temperature 0: the highest logit, lowest id on ties; log-probability under softmax.
    if (p.temperature <= 0.0f) {
        uint64_t best = 0;
        for (int i = ex.first(); i < n_vocab; i += ex.stride()) {
            const uint64_t key = candidate_key(row[i], i);
            best = key > best ? key : best;
        }
        const int id = key_id(ex.max_key(best));
        const double top = row[id];
        double s = 0.0;
        for (int i = ex.first(); i < n_vocab; i += ex.stride()) s += ::exp(static_cast<double>(row[i]) - top);
        return {id, static_cast<float>(-::log(ex.sum(s)))};
    }

    // 3. Keys and probabilities of the scaled logits, relative to the most probable token.
    const float t = p.temperature;
    uint64_t best = 0;
    for (int i = ex.first(); i < n_vocab; i += ex.stride()) {
        keys[i] = candidate_key(row[i] / t, i);
        best = keys[i] > best ? keys[i] : best;
    }
    const double top = row[key_id(ex.max_key(best))] / t;
    for (int i = ex.first(); i < n_vocab; i += ex.stride()) probs[i] = ::exp(static_cast<double>(row[i] / t) - top);
    ex.sync();
    Candidates all{keys, probs, n_vocab};

    // 4. top-k: the k-th candidate's key bounds the set (compacted when small).
    CandidateSet set;
    if (p.top_k > 0 && p.top_k < n_vocab) {
        set.key_min = largest_key_reaching(ex, all, set, static_cast<double>(p.top_k), false, true);
        if (p.top_k <= Exec::kMaxCompact) all = ex.compact(keys, probs, n_vocab, set.key_min);
    }
    const double total = mass_from(ex, all, set, 0, false);  // top-p's reference
    // 5. min-p keeps p >= min_p * p_max (p_max = 1); 6. top-p: the smallest prefix reaching top_p of total.
    if (p.min_p > 0.0f) set.p_min = p.min_p;
    if (p.top_p < 1.0f) {
        const uint64_t cut = largest_key_reaching(ex, all, set, static_cast<double>(p.top_p) * total, false, false);
        set.key_min = cut > set.key_min ? cut : set.key_min;
    }
    const double kept = mass_from(ex, all, set, 0, false);

    // 7. The draw: the first candidate whose cumulative probability exceeds u * kept; the last one
    //    when rounding leaves the threshold at or past the end.
    const double threshold = static_cast<double>(sampling_uniform(p.seed, position)) * kept;
    uint64_t chosen = largest_key_reaching(ex, all, set, threshold, true, false);
    if (chosen == 0) {
        uint64_t smallest_complement = 0;  // max of ~key = ~(min of key)
        for (int i = ex.first(); i < all.n; i += ex.stride()) {
            const uint64_t key = all.key[i];
            if (key >= set.key_min && all.prob[i] >= set.p_min && ~key > smallest_complement) smallest_complement = ~key;
        }
        chosen = ~ex.max_key(smallest_complement);
    }
    const int id = key_id(chosen);
    return {id, static_cast<float>(::log(probs[id] / kept))};
}

}  // namespace llcuda::cuda
