// LoRA on CUDA: the low-rank products of a step's adapter groups, added into the base products'
// output. Tokens that run with one stack of adapters are cut into tiles once per step (segmented by
// stack, as Punica's and S-LoRA's SGMV kernels segment them); one launch serves every tile of every
// stack, so the cost does not grow with the number of adapters in the batch, and an adapter's
// matrices are read once per tile of its tokens. Per projection group two launches: the shrink
// (mid = A x, before the base product, which then fetches its weights while the shrink runs) and
// the expand (y += scale B mid, after it). How much work a step has is device data, read by
// kernels that loop over it, so one captured graph serves any choice of adapters.
#pragma once

#include "common.cuh"
#include "llcuda.h"

namespace llcuda::cuda {

// The largest rank the kernels take (a tile's rank vectors sit in shared memory).
constexpr int kLoraMaxRank = 256;
// Tokens of one stack per tile: each weight row read serves all of them.
constexpr int kLoraTileTokens = 8;
// Rank rows per shrink work item: with kLoraTileTokens tokens, 32 sums, one per lane of a warp after
// the reduction (lora.cu), so the sums leave a warp in 31 shuffles instead of 5 per sum.
constexpr int kLoraShrinkRows = 4;
static_assert(kLoraShrinkRows * kLoraTileTokens == kWarpSize, "a shrink item's sums fill one warp");
// Projections sharing one input (Q, K and V) take one launch pair.
constexpr int kLoraMaxOutputs = 3;
// The most blocks a LoRA launch starts per multiprocessor (two resident blocks of either kernel);
// larger steps loop over their work items.
constexpr int kLoraBlocksPerSm = 2;

// One low-rank pair in device memory, FP32: A as [rank][n_in] and B transposed, [rank][n_out]
// (threads of consecutive outputs then read consecutive floats), both 16-byte aligned (the shrink
// reads A and x four floats at a time). rank 0: no pair there.
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
// tokens[first .. first + count) of the step's LoRA token list.
struct LoraTile {
    int32_t stack = 0;  // index into the step's stacks
    int32_t first = 0;
    int32_t count = 0;
};

// The step's amount of work (device data): its tiles, and the blocks of kLoraShrinkRows rank rows
// that cover the largest stack's ranks (items past a tile's own ranks end at once).
struct LoraCounts {
    int32_t tiles = 0;
    int32_t row_blocks = 0;
};

// The step's LoRA data in device memory, the scratch of rank vectors (kLoraMaxOutputs *
// kLoraMaxRank floats per entry of the token list), bounds on the counts (a launch starts at most
// bound-many items' blocks, and at most max_blocks) and whether launches may overlap the kernel
// before them (dependent-launch.cuh).
struct LoraStep {
    const LoraCounts *counts = nullptr;
    const LoraStack *stacks = nullptr;
    const LoraTile *tiles = nullptr;
    const int32_t *tokens = nullptr;
    float *mid = nullptr;
    int max_tiles = 0;
    int max_row_blocks = 0;
    int max_blocks = 0;
    bool overlap = false;
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

// The shrink: for every token t of every tile and each output o, the rank vector A x[t] of each
// adapter of the tile's stack (ranks concatenated in stack order) into the scratch; x rows of n_in
// (a multiple of 4) with stride ldx (a multiple of 4, x 16-byte aligned). A stack's ranks add up to
// at most kLoraMaxRank.
void lora_shrink(const LoraStep &step, const float *x, int ldx, int n_in, const LoraOutputs &outputs,
                 cudaStream_t stream);
// The expand, after the shrink on the same outputs: y_o[t] += sum over the tile's stack of
// factor * scale * B (A x[t]).
void lora_expand(const LoraStep &step, const LoraOutputs &outputs, cudaStream_t stream);

}  // namespace llcuda::cuda
