#include "lora.cuh"

#include <algorithm>

namespace llcuda::cuda {
namespace {

constexpr int kShrinkWarps = 4;
constexpr int kExpandThreads = 256;

__device__ __forceinline__ float *mid_at(float *mid, int entry, int output, int j) {
    return mid + (static_cast<size_t>(entry) * kLoraMaxOutputs + output) * kLoraMaxRank + j;
}

// mid[entry][o][offset_m + j] = A_j . x[token] for each adapter m of the tile's stack (offset_m: the
// ranks before it), one warp per rank row j, the tile's tokens side by side.
__global__ void lora_shrink(const LoraStack *stacks, const LoraTile *tiles, const int32_t *tokens, const float *x,
                            int ldx, int n_in, LoraOutputs outputs, float *mid) {
    const LoraTile tile = tiles[blockIdx.x];
    const int o = blockIdx.y;
    if (tile.count == 0) return;
    const LoraStack &stack = stacks[tile.stack];
    __shared__ int32_t rows[kLoraTileTokens];
    if (threadIdx.x < tile.count) rows[threadIdx.x] = tokens[tile.first + threadIdx.x];
    __syncthreads();
    const int warp = threadIdx.x / kWarpSize, lane = threadIdx.x % kWarpSize;
    int offset = 0;
    for (int m = 0; m < stack.n; ++m) {
        const LoraPairDevice pair = stack.pairs[m][outputs.out[o].pair_index];
        for (int j = warp; j < pair.rank; j += kShrinkWarps) {
            const float *a = pair.a + static_cast<size_t>(j) * n_in;
            float acc[kLoraTileTokens] = {};
            for (int k = lane; k < n_in; k += kWarpSize) {
                const float w = a[k];
#pragma unroll
                for (int t = 0; t < kLoraTileTokens; ++t)
                    if (t < tile.count) acc[t] += w * x[static_cast<size_t>(rows[t]) * ldx + k];
            }
#pragma unroll
            for (int t = 0; t < kLoraTileTokens; ++t) {
                if (t >= tile.count) break;
                const float sum = warp_sum(acc[t]);
                if (lane == 0) *mid_at(mid, tile.first + t, o, offset + j) = sum;
            }
        }
        offset += pair.rank;
    }
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
    lora_shrink<<<dim3(n_tiles, outputs.n), kShrinkWarps * kWarpSize, 0, stream>>>(stacks, tiles, tokens, x, ldx, n_in,
                                                                                   outputs, mid);
    LLCUDA_CUDA_CHECK_LAUNCH();
    lora_expand<<<dim3(n_tiles, ceil_div(max_out, kExpandThreads), outputs.n), kExpandThreads, 0, stream>>>(
        stacks, tiles, tokens, outputs, mid);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
