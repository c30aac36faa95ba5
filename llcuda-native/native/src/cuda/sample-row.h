// The GPU sampler's algorithm for one logits row, written once for two executions: a block of GPU
// threads (sample-rows.cu) and a single host thread (llcuda-test-cpu checks it against the host
// Sampler, so the algorithm itself is tested wherever the tests run). It computes what the host
// Sampler (sampling.h) computes. Every token gets a 64-bit key that orders the candidates as the
// host does (higher scaled logit first, lower id on ties). The head of that order (the top-k set,
// at most Exec::kMaxCompact candidates) is found by a radix select a byte at a time, moved to
// fast memory and sorted; min-p, top-p and the draw then walk it in order exactly as the host
// walks its sorted list, and nearly always end inside it. Only when they would run past the head
// (a top-k above kMaxCompact, or no top-k, with the cut or the draw deep in a flat distribution)
// each cut is found instead as the largest key whose "mass from there on" passes the test, bit by
// bit over the whole row (64 reductions each). Probabilities are exp(double) of the scaled logits
// relative to the largest, as on the host. Sums over a complete sorted head are added in the
// host's order; sums over more (a top-k set above kMaxCompact, no top-k, the searches) in another
// order, and the device's exp/log may differ from the host's by an ulp: a draw could change only
// at a boundary within ~1e-16 of the total.
//
// Total on any row, as the host: non-finite logits get key 0 and probability 0 and are never
// candidates (every set below starts at key 1); when the largest scaled logit overflows, the row
// is sampled greedily; a row without a finite logit gives LLCUDA_SAMPLE_NO_FINITE_LOGIT.
//
// Exec supplies: first()/stride() (this thread's share of a loop), sync(), sum(double) and
// max_key(uint64_t) (over all threads, every thread gets the result), add_count(int32_t *);
// zeroed_bins() (256 counters), count_in_bin(bins, bin) (bin < 0: none; called by every thread
// the same number of times) and pick_bin(bins, need)
// (the radix select's step, below); sorted_head(keys, probs, n, key_min) -> Candidates (the tokens
// with key >= key_min, at most kMaxCompact, in decreasing key order, visible to every thread).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "llcuda.h"
#include "rng.h"

namespace llcuda::cuda {

LLCUDA_HD inline uint32_t float_bits(float f) {
#if defined(__CUDA_ARCH__)
    return __float_as_uint(f);
#else
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
#endif
}

// Neither NaN nor infinite (the same test on both sides, whatever the math library).
LLCUDA_HD inline bool is_finite(float f) {
    return (float_bits(f) & 0x7f800000u) != 0x7f800000u;
}

// Monotone in the float order, -0 taken as +0 (the host compares them equal).
LLCUDA_HD inline uint32_t ordered_bits(float f) {
    const uint32_t u = float_bits(f + 0.0f);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

// Larger key = earlier in the host's candidate order; never 0.
LLCUDA_HD inline uint64_t candidate_key(float scaled, int id) {
    return (static_cast<uint64_t>(ordered_bits(scaled)) << 32) | (0xffffffffu - static_cast<uint32_t>(id));
}

LLCUDA_HD inline int key_id(uint64_t key) {
    return static_cast<int>(0xffffffffu - static_cast<uint32_t>(key));
}

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

// The radix select's step: the largest bin d with bins[d] + bins[d+1] + ... >= need, how many
// keys the bins above d hold, and how many d holds.
struct BinPick {
    int bin;
    int above;
    int count;
};

#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
// The k-th largest of n distinct keys (1 <= k <= n), a byte at a time from the top: each pass
// counts the keys that share the bytes found so far by their next byte. Once the chosen byte
// holds a single key, that key is the answer (usually after 3 or 4 of the 8 passes).
template <class Exec>
LLCUDA_HD uint64_t kth_largest_key(Exec &ex, const uint64_t *keys, int n, int k) {
    uint64_t prefix = 0;
    int above = 0;  // keys greater than every key that starts with `prefix`
    for (int shift = 56; shift >= 0; shift -= 8) {
        const uint64_t high = shift == 56 ? 0 : ~0ull << (shift + 8);
        int32_t *bins = ex.zeroed_bins();
        for (int base = 0; base < n; base += ex.stride()) {  // the same trip count for every thread
            const int i = base + ex.first();
            const uint64_t key = i < n ? keys[i] : 0;  // no key is 0 (candidate_key), so 0 is no match
            ex.count_in_bin(bins, i < n && (key & high) == prefix ? static_cast<int>((key >> shift) & 255u) : -1);
        }
        ex.sync();
        const BinPick pick = ex.pick_bin(bins, k - above);
        prefix |= static_cast<uint64_t>(pick.bin) << shift;
        above += pick.above;
        if (pick.count == 1 && shift > 0) {  // the one key starting with `prefix`
            const uint64_t mask = ~0ull << shift;
            uint64_t found = 0;
            for (int i = ex.first(); i < n; i += ex.stride())
                if ((keys[i] & mask) == prefix) found = keys[i];
            return ex.max_key(found);
        }
    }
    return prefix;
}

#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
// Sum of prob over the candidates in `set` whose key is at least `at`.
template <class Exec>
LLCUDA_HD double mass_from(Exec &ex, const Candidates &c, const CandidateSet &set, uint64_t at) {
    double s = 0.0;
    for (int i = ex.first(); i < c.n; i += ex.stride()) {
        const uint64_t key = c.key[i];
        if (key >= at && key >= set.key_min && c.prob[i] >= set.p_min) s += c.prob[i];
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
                                        bool strict) {
    uint64_t k = 0;
    for (int bit = 63; bit >= 0; --bit) {
        const uint64_t candidate = k | (1ull << bit);
        const double m = mass_from(ex, c, set, candidate);
        if (strict ? m > target : m >= target) k = candidate;
    }
    return k;
}

#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
// Steps 5-7 (min-p, top-p, the draw) walked over the sorted head as the host walks its list.
// `complete`: the head is the whole top-k set. False when the walk would need candidates past the
// head; every thread returns the same answer (the head is shared; `all`/`set` serve a reduction).
template <class Exec>
LLCUDA_HD bool walk_head(Exec &ex, const Candidates &head, bool complete, double total, const Candidates &all,
                         const CandidateSet &set, const llcuda_sampling_params &p, int32_t position,
                         SampledPick &pick) {
    int n = head.n;
    bool beyond = !complete;  // the set goes on past the head
    if (p.min_p > 0.0f) {     // keeps p >= min_p * p_max (p_max = 1): a prefix of the order
        int cut = 1;
        while (cut < n && head.prob[cut] >= p.min_p) ++cut;
        if (cut < n) {
            n = cut;
            beyond = false;
        }
    }
    double kept = 0.0;
    if (p.top_p < 1.0f) {  // the shortest prefix reaching top_p of the top-k set's mass
        const double target = static_cast<double>(p.top_p) * total;
        int i = 0;
        while (i < n) {
            kept += head.prob[i++];
            if (kept >= target) break;
        }
        if (kept < target && beyond) return false;
        n = i;
        beyond = false;
    } else if (beyond) {
        kept = mass_from(ex, all, set, 0);
    } else {
        for (int i = 0; i < n; ++i) kept += head.prob[i];
    }
    // The first candidate whose cumulative probability exceeds u * kept; the last one when
    // rounding leaves the threshold at or past the end.
    const double threshold = static_cast<double>(sampling_uniform(p.seed, position)) * kept;
    double cumulative = 0.0;
    int chosen = -1;
    for (int i = 0; i < n && chosen < 0; ++i) {
        cumulative += head.prob[i];
        if (cumulative > threshold) chosen = i;
    }
    if (chosen < 0) {
        if (beyond) return false;
        chosen = n - 1;
    }
    pick = {key_id(head.key[chosen]), static_cast<float>(::log(head.prob[chosen] / kept))};
    return true;
}

#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
// The highest finite logit of `row` (lowest id on ties) and its log-probability under the softmax
// of the finite logits; LLCUDA_SAMPLE_NO_FINITE_LOGIT when there is none.
template <class Exec>
LLCUDA_HD SampledPick greedy_pick(Exec &ex, const float *row, int n_vocab) {
    uint64_t best = 0;
    for (int i = ex.first(); i < n_vocab; i += ex.stride()) {
        const uint64_t key = is_finite(row[i]) ? candidate_key(row[i], i) : 0;
        best = key > best ? key : best;
    }
    best = ex.max_key(best);
    if (best == 0) return {LLCUDA_SAMPLE_NO_FINITE_LOGIT, 0.0f};
    const double top = row[key_id(best)];
    double s = 0.0;
    for (int i = ex.first(); i < n_vocab; i += ex.stride())
        if (is_finite(row[i])) s += ::exp(static_cast<double>(row[i]) - top);
    return {key_id(best), static_cast<float>(-::log(ex.sum(s)))};
}

#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
// Samples one row: `row` is masked and penalized in place; keys, probs ([n_vocab] each) and counts
// ([n_vocab], may alias keys) are scratch. `allowed` (may be null): the tokens that may be drawn,
// bit t % 32 of word t / 32; the others become -inf before everything else, as on the host.
template <class Exec>
LLCUDA_HD SampledPick sample_row(Exec &ex, float *row, int n_vocab, const llcuda_sampling_params &p,
                                 const int32_t *history, int n_history, int32_t position, uint64_t *keys, double *probs,
                                 int32_t *counts, const uint32_t *allowed) {
    // 0. The mask: a token it leaves out is no candidate, whatever the penalties and filters do.
    if (allowed != nullptr) {
        for (int i = ex.first(); i < n_vocab; i += ex.stride())
            if ((allowed[i >> 5] >> (i & 31) & 1u) == 0) row[i] = -INFINITY;
        ex.sync();
    }
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

    // 2. Temperature 0: the highest finite logit, lowest id on ties; log-probability under softmax.
    if (p.temperature <= 0.0f) return greedy_pick(ex, row, n_vocab);

    // 3. Keys and probabilities of the scaled logits, relative to the most probable token.
    const float t = p.temperature;
    uint64_t best = 0;
    int local_finite = 0;
    for (int i = ex.first(); i < n_vocab; i += ex.stride()) {
        const bool finite = is_finite(row[i]);
        keys[i] = finite ? candidate_key(row[i] / t, i) : 0;
        best = keys[i] > best ? keys[i] : best;
        local_finite += finite;
    }
    best = ex.max_key(best);
    const int n_finite = static_cast<int>(ex.sum(static_cast<double>(local_finite)));
    if (best == 0 || !is_finite(row[key_id(best)] / t)) return greedy_pick(ex, row, n_vocab);
    const double top = row[key_id(best)] / t;
    for (int i = ex.first(); i < n_vocab; i += ex.stride())
        probs[i] = keys[i] != 0 ? ::exp(static_cast<double>(row[i] / t) - top) : 0.0;
    ex.sync();

    // 4. The head: the top-k set's first kMaxCompact candidates, sorted (exactly the top-k set
    //    when that is no larger, as with the usual top-k of 20..100).
    const int k_set = p.top_k > 0 && p.top_k < n_finite ? p.top_k : n_finite;
    const int n_head = k_set < Exec::kMaxCompact ? k_set : Exec::kMaxCompact;
    const Candidates head =
        ex.sorted_head(keys, probs, n_vocab, n_head < n_finite ? kth_largest_key(ex, keys, n_vocab, n_head) : 1);
    const bool complete = n_head == k_set;
    const Candidates all{keys, probs, n_vocab};
    CandidateSet set;
    set.key_min = 1;
    if (!complete && k_set < n_finite) set.key_min = kth_largest_key(ex, keys, n_vocab, k_set);
    double total = 0.0;  // top-p's reference: the top-k set's mass (in the host's order where it is sorted)
    if (complete) {
        for (int i = 0; i < head.n; ++i) total += head.prob[i];
    } else {
        total = mass_from(ex, all, set, 0);
    }
    if (p.min_p > 0.0f) set.p_min = p.min_p;
    SampledPick pick;
    if (walk_head(ex, head, complete, total, all, set, p, position, pick)) return pick;

    // 5-7 past the head: top-p's cut and the draw by bitwise search over the whole set.
    if (p.top_p < 1.0f) {
        const uint64_t cut = largest_key_reaching(ex, all, set, static_cast<double>(p.top_p) * total, false);
        set.key_min = cut > set.key_min ? cut : set.key_min;
    }
    const double kept = mass_from(ex, all, set, 0);
    const double threshold = static_cast<double>(sampling_uniform(p.seed, position)) * kept;
    uint64_t chosen = largest_key_reaching(ex, all, set, threshold, true);
    if (chosen == 0) {
        uint64_t smallest_complement = 0;  // max of ~key = ~(min of key)
        for (int i = ex.first(); i < all.n; i += ex.stride()) {
            const uint64_t key = all.key[i];
            if (key >= set.key_min && all.prob[i] >= set.p_min && ~key > smallest_complement)
                smallest_complement = ~key;
        }
        chosen = ~ex.max_key(smallest_complement);
    }
    const int id = key_id(chosen);
    return {id, static_cast<float>(::log(probs[id] / kept))};
}

}  // namespace llcuda::cuda
