// Checks one caller batch against the model and the cache before any backend sees it.
#pragma once

#include <cstdint>

#include "llcuda.h"
#include "model_spec.h"
#include "step_batch.h"

namespace llcuda {

// Most tokens and sequences one step accepts (bounds the scratch memory a call can demand).
constexpr int32_t kMaxBatchTokens = 1 << 16;
constexpr int32_t kMaxBatchSeqs = 1 << 12;

// Every sequence 0..n_seqs-1 must have at least one token in the batch; `seqs` is indexed by
// sequence id. Throws LLCUDA_ERR_INVALID_ARGUMENT naming the offending field and index.
StepBatch validate_batch(const llcuda_batch &batch, const llcuda_step_output &out, const ModelSpec &spec,
                         int32_t n_blocks, int32_t block_size);

struct ModelState;

// Points each sequence of `out` at its LoRA adapters (batch.seq_adapters, or the stacked form with
// scales); every adapter must be loaded on `model`. Throws LLCUDA_ERR_INVALID_ARGUMENT naming the
// field and index.
void read_adapters(const llcuda_batch &batch, const ModelState &model, StepBatch &out);

}  // namespace llcuda
