#include "step-plan.h"

#include <algorithm>
#include <cstring>

namespace llcuda::cuda {

int graph_bucket(int n_seqs) {
    for (int b : kGraphBuckets)
        if (n_seqs <= b) return b;
    return 0;
}

namespace {
bool greedy_without_penalties(const llcuda_sampling_params &p) {
    return p.temperature <= 0.0f && p.repetition_penalty == 1.0f && p.frequency_penalty == 0.0f &&
           p.presence_penalty == 0.0f;
}
}  // namespace

bool samples_greedily(const SeqSpan &seq) {
    return greedy_without_penalties(seq.params) && seq.allowed == nullptr;
}

bool samples_greedily_masked(const SeqSpan &seq) {
    return greedy_without_penalties(seq.params) && seq.allowed != nullptr;
}

StepPlan plan_step(const StepBatch &batch, int block_size, int tile_tokens) {
    StepPlan plan;
    plan.n_tokens = batch.n_tokens;
    const int n_seqs = static_cast<int>(batch.seqs.size());
    const int mb = batch.max_blocks_per_seq;

    bool decode_only = batch.n_logit_rows == 0;
    for (const SeqSpan &s : batch.seqs) decode_only = decode_only && s.count == 1 && s.sample;
    const int bucket = decode_only ? graph_bucket(n_seqs) : 0;
    plan.graph = bucket > 0;
    plan.n_padded = plan.graph ? bucket : batch.n_tokens;

    plan.tokens.assign(batch.tokens, batch.tokens + batch.n_tokens);
    plan.positions.assign(batch.positions, batch.positions + batch.n_tokens);
    plan.slots.resize(batch.n_tokens);
    plan.tables.resize(static_cast<size_t>(n_seqs) * mb);
    for (int s = 0; s < n_seqs; ++s) {
        const SeqSpan &seq = batch.seqs[s];
        std::copy(seq.blocks, seq.blocks + mb, plan.tables.begin() + static_cast<size_t>(s) * mb);
        for (int i = 0; i < seq.count; ++i) {
            const int pos = seq.start_pos + i;
            plan.slots[seq.first + i] = seq.blocks[pos / block_size] * block_size + pos % block_size;
        }
        for (int c = 0; c < seq.count; c += tile_tokens)
            plan.tiles.push_back({seq.first + c, std::min(tile_tokens, seq.count - c), seq.start_pos + c, s * mb});
        if (seq.sample) {
            plan.out_rows.push_back(seq.first + seq.count - 1);
            plan.sample_seqs.push_back(s);
        }
    }
    plan.n_sample = static_cast<int>(plan.out_rows.size());
    if (batch.logits_rows)
        for (int t = 0; t < batch.n_tokens; ++t)
            if (batch.logits_rows[t]) plan.out_rows.push_back(t);
    plan.n_logit_rows = static_cast<int>(plan.out_rows.size()) - plan.n_sample;

    if (plan.graph) {  // padding rows: token 0 at position 0, never stored, never attended
        plan.tokens.resize(bucket, 0);
        plan.positions.resize(bucket, 0);
        plan.slots.resize(bucket, -1);
        plan.tiles.resize(bucket, AttnTile{0, 0, 0, 0});
        plan.out_rows.resize(bucket, 0);
        plan.n_sample = bucket;
    }
    return plan;
}

void write_meta(const StepPlan &plan, const MetaLayout &layout, int32_t *meta) {
    std::memcpy(meta + layout.tokens(), plan.tokens.data(), plan.tokens.size() * sizeof(int32_t));
    std::memcpy(meta + layout.positions(), plan.positions.data(), plan.positions.size() * sizeof(int32_t));
    std::memcpy(meta + layout.slots(), plan.slots.data(), plan.slots.size() * sizeof(int32_t));
    std::memcpy(meta + layout.tiles(), plan.tiles.data(), plan.tiles.size() * sizeof(AttnTile));
    std::memcpy(meta + layout.out_rows(), plan.out_rows.data(), plan.out_rows.size() * sizeof(int32_t));
    std::memcpy(meta + layout.tables(), plan.tables.data(), plan.tables.size() * sizeof(int32_t));
}

}  // namespace llcuda::cuda
