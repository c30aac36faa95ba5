// The host-side plan of one CUDA step, built from a validated StepBatch: per-token metadata
// (token, position, cache slot), attention tiles, the rows whose logits are computed, and whether
// the step is a pure decode step that can replay a captured CUDA graph. Plain C++: no device code.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels.cuh"
#include "step_batch.h"

namespace llcuda::cuda {

// Decode steps pad their sequence count up to one of these, so one captured graph serves every
// count in its bucket; larger steps run eagerly.
constexpr int kGraphBuckets[] = {1, 2, 4, 8, 16, 32, 64, 128, 256};
// The bucket for `n_seqs` decode tokens, or 0 when above the largest.
int graph_bucket(int n_seqs);

// Whether a sequence's token is the argmax of its raw logits (greedy without penalties or mask), which
// the step's greedy kernel gives; other sequences' rows go through sample_rows after it.
bool samples_greedily(const SeqSpan &seq);
// Whether a sequence's token is the argmax of its raw logits under its allowed-token mask (greedy
// without penalties, with a mask): sample_greedy_masked gives it, not the full sampler.
bool samples_greedily_masked(const SeqSpan &seq);

struct StepPlan {
    int n_tokens = 0;      // tokens in the batch
    int n_padded = 0;      // tokens the kernels run on (a graph bucket pads decode steps)
    int n_sample = 0;      // output rows [0, n_sample): one per sampling sequence (padded too)
    int n_logit_rows = 0;  // output rows [n_sample, n_sample + n_logit_rows): full logits wanted
    bool graph = false;    // a pure decode step: replays the bucket's graph
    std::vector<int32_t> tokens, positions, slots;  // [n_padded]
    std::vector<AttnTile> tiles;                    // [n_tiles()]
    std::vector<int32_t> out_rows;                  // [n_rows()] token index of each output row
    std::vector<int32_t> sample_seqs;               // [real sample rows] sequence of each row
    std::vector<int32_t> tables;                    // [n_seqs * max_blocks_per_seq]
    int n_tiles() const { return static_cast<int>(tiles.size()); }
    int n_rows() const { return n_sample + n_logit_rows; }
};

StepPlan plan_step(const StepBatch &batch, int block_size, int tile_tokens);

// Offsets (in int32 units) of the plan's arrays in the one metadata buffer copied per step.
struct MetaLayout {
    int64_t cap_tokens = 0, cap_rows = 0, cap_tables = 0;
    int64_t tokens() const { return 0; }
    int64_t positions() const { return cap_tokens; }
    int64_t slots() const { return 2 * cap_tokens; }
    int64_t tiles() const { return 3 * cap_tokens; }  // 4 ints per tile, at most one per token
    int64_t out_rows() const { return 7 * cap_tokens; }
    int64_t tables() const { return 7 * cap_tokens + cap_rows; }
    int64_t total() const { return 7 * cap_tokens + cap_rows + cap_tables; }
    bool fits(const StepPlan &plan) const {
        return plan.n_padded <= cap_tokens && plan.n_tiles() <= cap_tokens && plan.n_rows() <= cap_rows &&
               static_cast<int64_t>(plan.tables.size()) <= cap_tables;
    }
};

// Writes the plan's arrays into `meta` laid out as `layout` (caller checked fits()).
void write_meta(const StepPlan &plan, const MetaLayout &layout, int32_t *meta);

}  // namespace llcuda::cuda
