// The validated C++ view of one llcuda_batch: per-sequence spans into the token arrays, with
// every token id, position and block index already checked against the model and the cache.
#pragma once

#include <cstdint>
#include <vector>

#include "llcuda.h"

namespace llcuda {

class BackendAdapter;

struct SeqSpan {
    int32_t first;          // index of the sequence's first token in the batch
    int32_t count;          // its tokens in this batch
    int32_t start_pos;      // position of the first token; positions are start_pos + i
    const int32_t *blocks;  // block table, max_blocks_per_seq entries
    bool sample;
    llcuda_sampling_params params;
    const int32_t *history;  // penalty history (may be null when n_history == 0)
    int32_t n_history;
    const uint32_t *allowed = nullptr;  // allowed-token bitmask (n_vocab bits), null: every token
    // The LoRA adapters the sequence runs with (n_adapters 0: none), each with a factor on its scale.
    struct AdapterUse {
        const BackendAdapter *adapter;
        float scale;
    };
    AdapterUse adapters[LLCUDA_MAX_ADAPTER_STACK] = {};
    int32_t n_adapters = 0;
    int32_t end_pos() const { return start_pos + count; }  // context length after the step
};

struct StepBatch {
    int32_t n_tokens = 0;
    const int32_t *tokens = nullptr;
    const int32_t *positions = nullptr;
    const int32_t *seq_ids = nullptr;
    int32_t max_blocks_per_seq = 0;
    std::vector<SeqSpan> seqs;
    const uint8_t *logits_rows = nullptr;  // may be null
    int32_t n_logit_rows = 0;
    int32_t n_top_logprobs = 0;             // alternatives per sampled sequence in StepResult::top_*
    const uint8_t *logprob_seqs = nullptr;  // may be null: every sampled sequence's model log-probabilities
    // Whether sequence s's model log-probabilities are computed (when the output asks for them at all).
    bool wants_logprobs(size_t s) const { return seqs[s].sample && (logprob_seqs == nullptr || logprob_seqs[s] != 0); }
};

struct StepResult {
    int32_t *sampled = nullptr;       // [n_seqs]
    float *logprobs = nullptr;        // [n_seqs] or null
    float *logits = nullptr;          // [n_logit_rows * n_vocab] or null
    float *model_logprobs = nullptr;  // [n_seqs] or null: llcuda_step_output::model_logprobs
    int32_t *top_tokens = nullptr;    // [n_seqs * n_top_logprobs] when n_top_logprobs > 0
    float *top_logprobs = nullptr;
};

// The validated inputs of one llcuda_embed call: input s is tokens[offsets[s] .. offsets[s+1]).
struct EmbedBatch {
    int32_t n_seqs = 0;
    const int32_t *offsets = nullptr;  // [n_seqs + 1], offsets[0] == 0
    const int32_t *tokens = nullptr;   // [offsets[n_seqs]]
};

}  // namespace llcuda
