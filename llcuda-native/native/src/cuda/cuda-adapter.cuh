// LoRA adapters of a CUDA model: each adapter's pairs uploaded once (FP32, B transposed, 16-byte
// aligned) with a device table of them, and the per-step plan that groups a batch's tokens by
// adapter into tiles.
#pragma once

#include <vector>

#include "backend.h"
#include "device-memory.cuh"
#include "lora.cuh"

namespace llcuda::cuda {

class CudaAdapter final : public BackendAdapter {
  public:
    // Reads the validated adapter's tensors from `file` and uploads them to the current device.
    // Throws LLCUDA_ERR_UNSUPPORTED naming a tensor whose rank is above kLoraMaxRank.
    CudaAdapter(const AdapterSpec &spec, const ModelFile &file);
    uint64_t bytes() const override { return memory_.size(); }
    // [n_layer * kLoraTargets], in device memory.
    const LoraPairDevice *pairs() const { return memory_.as<LoraPairDevice>(); }
    int max_rank() const { return max_rank_; }

  private:
    DeviceBuffer memory_;  // the pair table, then every pair's A and transposed B
    int max_rank_ = 0;
};

// The LoRA part of one step: the distinct stacks of adapters its sequences run with, tiles of up to
// kLoraTileTokens batch tokens of one stack (each stack's tokens in one run, so its adapters' matrices
// are read once per tile), the token list the tiles index and the work counts.
struct LoraPlan {
    LoraCounts counts;
    std::vector<LoraStack> stacks;
    std::vector<LoraTile> tiles;
    std::vector<int32_t> tokens;
    bool empty() const { return tiles.empty(); }
};

// Groups the batch's tokens by their sequences' adapters (sequences without one are left out).
// Throws LLCUDA_ERR_INVALID_ARGUMENT when an adapter belongs to another backend,
// LLCUDA_ERR_UNSUPPORTED when a sequence's stacked adapters' ranks add up to more than kLoraMaxRank.
LoraPlan plan_lora(const StepBatch &batch);

// The step's LoRA metadata in device memory for `cap_tokens` tokens: the counts, then stacks, tiles
// and the token list, each with room for cap_tokens entries.
struct LoraMetaLayout {
    int64_t cap_tokens = 0;
    size_t counts() const { return 0; }
    size_t stacks() const { return sizeof(LoraCounts); }
    size_t tiles() const { return stacks() + static_cast<size_t>(cap_tokens) * sizeof(LoraStack); }
    size_t tokens() const { return tiles() + static_cast<size_t>(cap_tokens) * sizeof(LoraTile); }
    size_t bytes() const { return tokens() + static_cast<size_t>(cap_tokens) * sizeof(int32_t); }
};
void write_lora_meta(const LoraPlan &plan, const LoraMetaLayout &layout, void *meta);

}  // namespace llcuda::cuda
