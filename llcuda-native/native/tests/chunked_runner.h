// Test-only: sequences run together through llcuda_step, each fed `chunk` tokens per step, with
// every position's logits returned (the CPU tests' batching and chunking checks, the LoRA tests).
#pragma once

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "llcuda.h"

namespace chunked_runner {

struct SeqRun {
    std::vector<int32_t> tokens;
    std::vector<int32_t> blocks;  // its block table, max_blocks entries
    int32_t adapter = -1;         // index into the adapters passed to run_logits; -1: the base model
    // Stacked adapters (index, factor on its scale); when any sequence has some, the batch uses the
    // stacked form (llcuda_batch.adapter_stack*) and `adapter` is a stack of one with factor 1.
    std::vector<std::pair<int32_t, float>> stack = {};
};

// Per sequence, its positions' logits rows (n_vocab floats each) one after the other. When a step
// fails: empty, with the model's error in `error` (printed when `error` is null).
inline std::vector<std::vector<float>> run_logits(llcuda_model *model, llcuda_kv_cache *cache, int32_t n_vocab,
                                                  const std::vector<SeqRun> &seqs, int32_t chunk, int32_t max_blocks,
                                                  const std::vector<llcuda_adapter *> &adapters = {},
                                                  std::string *error = nullptr) {
    std::vector<std::vector<float>> out(seqs.size());
    std::vector<int32_t> done(seqs.size(), 0);
    const bool stacked = std::any_of(seqs.begin(), seqs.end(), [](const SeqRun &s) { return !s.stack.empty(); });
    for (;;) {
        std::vector<int32_t> tokens, positions, ids, table, seq_adapters, stack_offsets{0}, stack;
        std::vector<float> stack_scales;
        std::vector<size_t> which;
        for (size_t s = 0; s < seqs.size(); ++s) {
            const int32_t n = std::min<int32_t>(chunk, static_cast<int32_t>(seqs[s].tokens.size()) - done[s]);
            if (n <= 0) continue;
            for (int32_t i = 0; i < n; ++i) {
                tokens.push_back(seqs[s].tokens[done[s] + i]);
                positions.push_back(done[s] + i);
                ids.push_back(static_cast<int32_t>(which.size()));
            }
            table.insert(table.end(), seqs[s].blocks.begin(), seqs[s].blocks.end());
            seq_adapters.push_back(seqs[s].adapter);
            std::vector<std::pair<int32_t, float>> uses = seqs[s].stack;
            if (seqs[s].adapter >= 0) uses.insert(uses.begin(), {seqs[s].adapter, 1.0f});
            for (const auto &use : uses) {
                stack.push_back(use.first);
                stack_scales.push_back(use.second);
            }
            stack_offsets.push_back(static_cast<int32_t>(stack.size()));
            which.push_back(s);
        }
        if (which.empty()) return out;
        std::vector<uint8_t> sample(which.size(), 0), rows(tokens.size(), 1);
        std::vector<int32_t> sampled(which.size());
        std::vector<float> logits(tokens.size() * n_vocab);
        llcuda_batch b{};
        b.n_tokens = static_cast<int32_t>(tokens.size());
        b.tokens = tokens.data();
        b.positions = positions.data();
        b.seq_ids = ids.data();
        b.n_seqs = static_cast<int32_t>(which.size());
        b.max_blocks_per_seq = max_blocks;
        b.block_tables = table.data();
        b.sample = sample.data();
        b.logits_rows = rows.data();
        b.n_adapters = static_cast<int32_t>(adapters.size());
        b.adapters = adapters.data();
        b.seq_adapters = adapters.empty() || stacked ? nullptr : seq_adapters.data();
        if (stacked) {
            b.adapter_stack_offsets = stack_offsets.data();
            b.adapter_stack = stack.data();
            b.adapter_stack_scales = stack_scales.data();
        }
        llcuda_step_output o{sampled.data(), nullptr, logits.data(), static_cast<int64_t>(logits.size())};
        if (llcuda_step(model, cache, &b, &o) != LLCUDA_OK) {
            if (error != nullptr)
                *error = llcuda_model_last_error(model);
            else
                std::printf("step failed: %s\n", llcuda_model_last_error(model));
            return {};
        }
        size_t row = 0;
        for (size_t k = 0; k < which.size(); ++k) {
            const size_t s = which[k];
            const int32_t n = std::min<int32_t>(chunk, static_cast<int32_t>(seqs[s].tokens.size()) - done[s]);
            out[s].insert(out[s].end(), logits.begin() + row * n_vocab, logits.begin() + (row + n) * n_vocab);
            row += n;
            done[s] += n;
        }
    }
}

}  // namespace chunked_runner
