// The bert encoder on the CPU (BGE, MiniLM, E5): one pass over many inputs packed without padding,
// each attending to its own tokens, pooled and L2-normalised into one vector per input.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/kernels.h"
#include "cpu/thread_pool.h"
#include "model_spec.h"
#include "step_batch.h"

namespace llcuda {

// Buffers of one call, reused by the next.
struct BertScratch {
    std::vector<float> x, q, k, v, qkv, att, tmp, up, gate;
    std::vector<uint8_t> act;
};

// Writes n_seqs rows of spec.n_embd floats to `out`.
void bert_embed(const CpuKernels &kernels, ThreadPool &pool, const ModelSpec &spec, const EmbedBatch &batch,
                BertScratch &scratch, float *out);

}  // namespace llcuda
