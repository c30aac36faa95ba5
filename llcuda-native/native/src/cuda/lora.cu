#include "lora.cuh"

#include <algorithm>

namespace llcuda::cuda {
namespace {

// The shrink spreads one rank row's dot product over a whole block (so the input width is walked
// in a few strides, not serially by one warp) and gives every block a few rank rows: at batch 1 the
// grid still fills the device, and a step's latency no longer grows with the input width.
constexpr int kShrinkThreads = 512;
constexpr int kShrinkRows = 4;
constexpr int kExpandThreads = 256;

__device__ __forceinline__ float *mid_at(float *mid, int entry, int output, int j) {
    return mid + (static_cast<size_t>(entry) * kLoraMaxOutputs + output) * kLoraMaxRank + j;
}

// mid[entry][o][r] = A_r . x[token] for the stack's rank rows r = blockIdx.z * kShrinkRows + i
// (rows numbered across the stack's adapters in order), the tile's tokens side by side. Blocks past
// the stack's total rank leave at once (the grid covers kLoraMaxRank so a graph fits any stack).
__global__ void __launch_bounds__(kShrinkThreads)
    lora_shrink(const LoraStack *stacks, const LoraTile *tiles, const int32_t *tokens, const float *x, int ldx,
                int n_in, LoraOutputs outputs, float *mid) {
    const LoraTile tile = tiles[blockIdx.x];
    const int o = blockIdx.y;
    const int first_row = static_cast<int>(blockIdx.z) * kShrinkRows;
    if (tile.count == 0) return;
    const LoraStack &stack = stacks[tile.stack];
    const float *a_rows[kShrinkRows] = {};
    int total = 0;
    for (int m = 0; m < stack.n; ++m) {
        const LoraPairDevice pair = stack.pairs[m][outputs.out[o].pair_index];
#pragma unroll
        for (int i = 0; i < kShrinkRows; ++i) {
            const int j = first_row + i - total;
            if (j >= 0 && j < pair.rank) a_rows[i] = pair.a + static_cast<size_t>(j) * n_in;
        }
        total += pair.rank;
    }
    if (first_row >= total) return;  // the same for the whole block: no barrier is skipped by part of it
    __shared__ int32_t rows[kLoraTileTokens];
    __shared__ float partial[kShrinkThreads / kWarpSize][kShrinkRows][kLoraTileTokens];
    if (threadIdx.x < tile.count) rows[threadIdx.x] = tokens[tile.first + threadIdx.x];
    __syncthreads();
    float acc[kShrinkRows][kLoraTileTokens] = {};
#pragma unroll 2
    for (int k = threadIdx.x; k < n_in; k += kShrinkThreads) {
        float xv[kLoraTileTokens];
#pragma unroll
        for (int t = 0; t < kLoraTileTokens; ++t)
            xv[t] = t < tile.count ? x[static_cast<size_t>(rows[t]) * ldx + k] : 0.0f;
#pragma unroll
        for (int i = 0; i < kShrinkRows; ++i) {
            if (a_rows[i] == nullptr) continue;
            const float w = a_rows[i][k];
#pragma unroll
            for (int t = 0; t < kLoraTileTokens; ++t) acc[i][t] += w * xv[t];
        }
    }
    const int warp = threadIdx.x / kWarpSize, lane = threadIdx.x % kWarpSize;
#pragma unroll
    for (int i = 0; i < kShrinkRows; ++i) {
#pragma unroll
        for (int t = 0; t < kLoraTileTokens; ++t) {
            const float sum = warp_sum(acc[i][t]);
            if (lane == 0) partial[warp][i][t] = sum;
        }
    }
    __syncthreads();
    if (threadIdx.x >= kShrinkRows * kLoraTileTokens) return;
    const int i = threadIdx.x / kLoraTileTokens, t = threadIdx.x % kLoraTileTokens;
    if (a_rows[i] == nullptr || t >= tile.count) return;
    float sum = 0.0f;
#pragma unroll
    for (int w = 0; w < kShrinkThreads / kWarpSize; ++w) sum += partial[w][i][t];
    *mid_at(mid, tile.first + t, o, first_row + i) = sum;
}

// y[token][col] += sum_m factor_m * scale_m * sum_j Bt_m[j][col] * mid[entry][o][offset_m + j], one
// thread per output column.
__global__ void lora_expand(const LoraStack *stacks, const LoraTile *tiles, const int32_t *tokens, LoraOutputs outputs,
                            float *mid) {
    const LoraTile tile = tiles[blockIdx.x];
    const LoraOutput out = outputs.out[blockIdx.z];
    if (tile.count == 0 || static_cast<int>(blockIdx.y) * kExpandThreads >= out.n_out) return;
    const LoraStack &stack = stacks[tile.stack];
    int ranks = 0;
    for (int m = 0; m < stack.n; ++m) ranks += stack.pairs[m][out.pair_index].rank;
    if (ranks == 0) return;
    __shared__ float v[kLoraTileTokens][kLoraMaxRank];
    __shared__ int32_t rows[kLoraTileTokens];
    for (int i = threadIdx.x; i < tile.count * ranks; i += kExpandThreads)
        v[i / ranks][i % ranks] = *mid_at(mid, tile.first + i / ranks, blockIdx.z, i % ranks);
    if (threadIdx.x < tile.count) rows[threadIdx.x] = tokens[tile.first + threadIdx.x];
    __syncthreads();
    const int col = blockIdx.y * kExpandThreads + threadIdx.x;
    if (col >= out.n_out) return;
    float acc[kLoraTileTokens] = {};
    int offset = 0;
    for (int m = 0; m < stack.n; ++m) {
        const LoraPairDevice pair = stack.pairs[m][out.pair_index];
        const float scale = stack.scales[m] * pair.scale;
        float part[kLoraTileTokens] = {};
#pragma unroll 4
        for (int j = 0; j < pair.rank; ++j) {
            const float b = pair.bt[static_cast<size_t>(j) * out.n_out + col];
#pragma unroll
            for (int t = 0; t < kLoraTileTokens; ++t)
                if (t < tile.count) part[t] += b * v[t][offset + j];
        }
#pragma unroll
        for (int t = 0; t < kLoraTileTokens; ++t) acc[t] += scale * part[t];
        offset += pair.rank;
    }
    for (int t = 0; t < tile.count; ++t) out.y[static_cast<size_t>(rows[t]) * out.ldy + col] += acc[t];
}

}  // namespace

void add_lora(const LoraStack *stacks, const LoraTile *tiles, int n_tiles, const int32_t *tokens, const float *x,
              int ldx, int n_in, const LoraOutputs &outputs, float *mid, cudaStream_t stream) {
    if (n_tiles == 0 || outputs.n == 0) return;
    int max_out = 0;
    for (int o = 0; o < outputs.n; ++o) max_out = std::max(max_out, outputs.out[o].n_out);
    lora_shrink<<<dim3(n_tiles, outputs.n, kLoraMaxRank / kShrinkRows), kShrinkThreads, 0, stream>>>(
        stacks, tiles, tokens, x, ldx, n_in, outputs, mid);
    LLCUDA_CUDA_CHECK_LAUNCH();
    lora_expand<<<dim3(n_tiles, ceil_div(max_out, kExpandThreads), outputs.n), kExpandThreads, 0, stream>>>(
        stacks, tiles, tokens, outputs, mid);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
