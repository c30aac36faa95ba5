// LoRA on CUDA: the low-rank products of a step's adapter groups, added into the base products'
// output. Tokens that run with one adapter are cut into tiles; one launch serves every tile of
// every adapter (gathered rows), so the cost does not grow with the number of adapters in the batch.
#pragma once

#include "common.cuh"

namespace llcuda::cuda {

// The largest rank the kernels take (a tile's rank vectors sit in shared memory).
constexpr int kLoraMaxRank = 256;
// Tokens of one adapter per tile: each weight row read serves all of them.
constexpr int kLoraTileTokens = 8;
// Projections sharing one input (Q, K and V) take one launch pair.
constexpr int kLoraMaxOutputs = 3;

// One low-rank pair in device memory, FP32: A as [rank][n_in] and B transposed, [rank][n_out]
// (threads of consecutive outputs then read consecutive floats). rank 0: no pair there.
struct LoraPairDevice {
    const float *a = nullptr;
    const float *bt = nullptr;
    float scale = 0.0f;
    int32_t rank = 0;
};

// Up to kLoraTileTokens tokens that run with one adapter: the batch token indices
// tokens[first .. first + count) of the step's LoRA token list. count 0 pads a graph's grid.
struct LoraTile {
    const LoraPairDevice *pairs = nullptr;  // the adapter's pair table, [n_layer * kLoraTargets]
    int32_t first = 0;
    int32_t count = 0;
};

// A projection the low-rank products add to: rows of n_out at y (stride ldy), each tile's pair
// pairs[pair_index].
struct LoraOutput {
    int pair_index = 0;
    float *y = nullptr;
    int ldy = 0;
    int n_out = 0;
};
struct LoraOutputs {
    LoraOutput out[kLoraMaxOutputs];
    int n = 0;
};

// For every token t of every tile and each output o: y_o[t] += scale * B (A x[t]), x rows of n_in
// with stride ldx. `mid` (scratch): kLoraMaxOutputs * kLoraMaxRank floats per entry of the token list.
void add_lora(const LoraTile *tiles, int n_tiles, const int32_t *tokens, const float *x, int ldx, int n_in,
              const LoraOutputs &outputs, float *mid, cudaStream_t stream);

}  // namespace llcuda::cuda
