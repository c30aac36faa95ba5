// Token sampling on the host, the reference every backend's sampler matches.
//
// Order of operations on one logits row:
//  1. penalties over the sequence's history (as llama.cpp): for every distinct token in the
//     history with count c: logit /= repetition_penalty if logit > 0 else logit *= it; then
//     logit -= c * frequency_penalty + presence_penalty;
//  2. temperature 0: greedy, the highest logit (lowest token id on ties);
//  3. otherwise logits / temperature, then top-k, top-p (smallest set of most probable tokens
//     whose probability reaches top_p), min-p (keep p >= min_p * p_max), renormalise, and draw
//     with u = sampling_uniform(seed, position of the new token): the first candidate, in order
//     of decreasing probability (lower id first on ties), whose cumulative probability exceeds
//     u times the total.
// The log-probability reported is that of the chosen token under the distribution it was drawn
// from (after step 3's filters); for greedy it is under softmax of the penalized logits.
// Total on any row: non-finite logits (after penalties) are never candidates; when the largest
// scaled logit overflows (a tiny temperature), the draw is greedy over the finite logits; a row
// with no finite logit gives LLCUDA_SAMPLE_NO_FINITE_LOGIT.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "llcuda.h"

namespace llcuda {

// The model's log-probabilities on one raw logits row, as OpenAI's logprobs report them: the
// log-softmax over the row's finite logits (before any mask, penalty, temperature or filter),
// accumulated in double. Writes the value at `token` (0 when it is not a finite logit) and the
// n_top (<= LLCUDA_MAX_TOP_LOGPROBS) most probable tokens with theirs, most probable first (lower
// id first on ties; -1 and 0 past the finite logits).
void model_logprobs(const float *logits, int32_t n_vocab, int32_t token, int32_t n_top, float *token_logprob,
                    int32_t *top_tokens, float *top_logprobs);

struct SampledToken {
    int32_t token;
    float logprob;
};

// Reusable buffers so a sampler allocates once per vocabulary size.
class Sampler {
  public:
    // `logits` is modified in place (penalties, temperature). `allowed` (may be null): bitmask of
    // the tokens that may be drawn; the others are left out as if their logit were -inf.
    SampledToken sample(float *logits, int32_t n_vocab, const llcuda_sampling_params &params, const int32_t *history,
                        int32_t n_history, int32_t position, const uint32_t *allowed = nullptr);

  private:
    std::vector<std::pair<float, int32_t>> candidates_;
    std::vector<int32_t> counts_;
};

}  // namespace llcuda
