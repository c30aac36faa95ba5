// LoRA adapters of a CUDA model: each adapter's pairs uploaded once (FP32, B transposed) with a
// device table of them, and the per-step plan that groups a batch's tokens by adapter into tiles.
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

private:
    DeviceBuffer memory_;  // the pair table, then every pair's A and transposed B
};

// The LoRA part of one step: tiles of up to kLoraTileTokens batch tokens of one adapter, and the
// token list the tiles index.
struct LoraPlan {
    std::vector<LoraTile> tiles;
    std::vector<int32_t> tokens;
    bool empty() const { return tiles.empty(); }
};

// Groups the batch's tokens by their sequences' adapters (sequences without one are left out) and
// pads the tiles with empty ones up to `min_tiles` (a graph's fixed grid). Throws
// LLCUDA_ERR_INVALID_ARGUMENT when an adapter belongs to another backend.
LoraPlan plan_lora(const StepBatch &batch, int min_tiles);

// Bytes of the step's LoRA metadata (tiles, then token list) for `cap_tokens` tokens.
size_t lora_meta_bytes(int64_t cap_tokens);
// Writes the plan into `meta` laid out for `cap_tokens` (tiles first, the token list after cap_tokens tiles).
void write_lora_meta(const LoraPlan &plan, int64_t cap_tokens, void *meta);

}  // namespace llcuda::cuda
