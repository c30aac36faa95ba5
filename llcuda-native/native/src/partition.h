// How one decoder model is spread over several GPUs of one host. Tensor parallelism when every
// split lands on whole heads and whole quantized blocks: each rank holds its attention heads (the
// q rows, the k/v rows of its KV heads and its KV cache share, the matching attn_output columns),
// a block-aligned share of the FFN (gate/up rows, ffn_down columns) and a share of the vocabulary
// (token_embd and output rows); the column-split products give partial sums that are all-reduced.
// Otherwise layers per device (pipeline), balanced by bytes, with the reason tensor parallelism
// did not fit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model_spec.h"

namespace llcuda {

constexpr int32_t kMaxPartitionDevices = 8;

// [begin, end) of one dimension.
struct Span {
    int64_t begin = 0, end = 0;
    int64_t size() const { return end - begin; }
};

// What one rank holds. Tensor parallel: heads, kv_heads, ffn (columns) and vocab (rows) are its
// shares and layers is every layer; pipeline: layers is its range and the other spans are whole.
struct RankShare {
    Span heads, kv_heads, ffn, vocab, layers;
    uint64_t weight_bytes = 0;
    uint64_t kv_bytes = 0;  // for the planned cache size
};

enum class PartitionMode { Tensor, Pipeline };

struct PartitionPlan {
    PartitionMode mode = PartitionMode::Tensor;
    std::string why_pipeline;  // empty in tensor mode
    std::vector<RankShare> ranks;
    // One line for logs and errors: mode, shares, per-rank bytes, why pipeline.
    std::string describe() const;
};

// Plans `spec` over n_devices (2..kMaxPartitionDevices) with a KV cache of kv_tokens cells of
// kv_type (LLCUDA_TYPE_F16 or LLCUDA_TYPE_Q8_0) on every layer. Fails when not even a pipeline
// fits (fewer layers than devices).
PartitionPlan plan_partition(const ModelSpec &spec, int32_t n_devices, int64_t kv_tokens, int32_t kv_type);

// `n` split into `parts` contiguous spans of whole `unit`s, as equal as the units allow (the
// first spans take the remainder). Requires n to be a multiple of unit and at least `parts` units.
std::vector<Span> split_evenly(int64_t n, int64_t unit, int32_t parts);

}  // namespace llcuda
