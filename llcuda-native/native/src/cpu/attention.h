// Causal attention of a mixed batch over the paged KV cache, with grouped-query heads.
#pragma once

#include "cpu/kernels.h"
#include "cpu/kv_cache.h"
#include "cpu/thread_pool.h"
#include "model_spec.h"
#include "step_batch.h"

namespace llcuda {

// For each token t of sequence s at position p and each head h: softmax over the visible positions
// (0..p, or the last sliding_window of them in a sliding-window layer) of q.k * attn_scale,
// soft-capped when the model caps scores, weighted sum of V; K/V of head h come from KV head h / (n_head / n_head_kv)
// and are read through s's block table (this step's K/V must already be in the cache).
// q, out: [n_tokens][n_head * head_dim].
void attention(const CpuKernels &kernels, ThreadPool &pool, const ModelSpec &spec, const StepBatch &batch,
               CpuKvCache &cache, int32_t layer, const float *q, float *out);

}  // namespace llcuda
