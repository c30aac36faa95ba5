// What the bert-family encoder computes that does not depend on the backend, so the CPU and CUDA
// passes take it from one place: which rows of an input its pooling reads, where a token sits in
// its input, and whether q and k are rotated.
#pragma once

#include <cstdint>

#include "llcuda.h"
#include "model_spec.h"
#include "step_batch.h"

namespace llcuda {

// Rows [from, to) of the batch that input `seq` pools (then averages and L2-normalises): all of
// them (mean), the first (CLS) or the last.
struct PooledRows {
    int32_t from, to;
};
inline PooledRows pooled_rows(const ModelSpec &spec, const EmbedBatch &batch, int32_t seq) {
    const int32_t first = batch.offsets[seq], last = batch.offsets[seq + 1];
    if (spec.pooling_type == LLCUDA_POOLING_CLS) return {first, first + 1};
    if (spec.pooling_type == LLCUDA_POOLING_LAST) return {last - 1, last};
    return {first, last};
}

// nomic-bert rotates q and k (RoPE at each token's position within its input); bert adds absolute
// position embeddings to its inputs instead.
inline bool encoder_rotates(const ModelSpec &spec) {
    return spec.arch == LLCUDA_ARCH_NOMIC_BERT;
}

}  // namespace llcuda
