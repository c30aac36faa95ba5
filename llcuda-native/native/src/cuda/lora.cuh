// LoRA on CUDA: the low-rank products of a step's adapter groups, added into the base products'
// output. Tokens that run with one adapter are cut into tiles; one launch serves every tile of
// every adapter (gathered rows), so the cost does not grow with the number of adapters in the batch.
#pragma once

#include "common.cuh"
#include "llcuda.h"

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

// The adapters a group of tokens runs with (stacked adapters: several), each adapter's pair table
// ([n_layer * kLoraTargets], device memory) and its factor on the pairs' scales.
constexpr int kLoraMaxStack = LLCUDA_MAX_ADAPTER_STACK;
struct LoraStack {
    const LoraPairDevice *pairs[kLoraMaxStack] = {};
    float scales[kLoraMaxStack] = {};
    int32_t n = 0;
};

// Up to kLoraTileTokens tokens that run with one stack: the batch token indices
// tokens[first .. first + count) of the step's LoRA token list. count 0 pads a graph's grid.
struct LoraTile {
    int32_t stack = 0;  // index into the step's stacks
    int32_t first = 0;
    int32_t count = 0;
};

// A projection the low-rank products add to: rows of n_out at y (stride ldy), from the pair
// pairs[pair_index] of each adapter of a tile's stack.
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

// For every token t of every tile and each output o: y_o[t] += sum over the tile's stack of
// factor * scale * B (A x[t]), x rows of n_in with stride ldx; a stack's ranks add up to at most
// kLoraMaxRank. `mid` (scratch): kLoraMaxOutputs * kLoraMaxRank floats per entry of the token list.
void add_lora(const LoraStack *stacks, const LoraTile *tiles, int n_tiles, const int32_t *tokens, const float *x,
              int ldx, int n_in, const LoraOutputs &outputs, float *mid, cudaStream_t stream);

}  // namespace llcuda::cuda
