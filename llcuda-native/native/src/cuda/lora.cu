#include "lora.cuh"

#include <algorithm>

namespace llcuda::cuda {
namespace {

constexpr int kShrinkWarps = 4;
constexpr int kExpandThreads = 256;

__device__ __forceinline__ float *mid_at(float *mid, int entry, int output, int j) {
    return mid + (static_cast<size_t>(entry) * kLoraMaxOutputs + output) * kLoraMaxRank + j;
}

// mid[entry][o][j] = A_j . x[token], one warp per rank row j, the tile's tokens side by side.
__global__ void lora_shrink(const LoraTile *tiles, const int32_t *tokens, const float *x, int ldx, int n_in,
                            LoraOutputs outputs, float *mid) {
    const LoraTile tile = tiles[blockIdx.x];
    const int o = blockIdx.y;
    if (tile.count == 0) return;
    const LoraPairDevice pair = tile.pairs[outputs.out[o].pair_index];
    if (pair.rank == 0) return;
    __shared__ int32_t rows[kLoraTileTokens];
    if (threadIdx.x < tile.count) rows[threadIdx.x] = tokens[tile.first + threadIdx.x];
    __syncthreads();
    const int warp = threadIdx.x / kWarpSize, lane = threadIdx.x % kWarpSize;
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
            if (lane == 0) *mid_at(mid, tile.first + t, o, j) = sum;
        }
    }
}

// y[token][col] += scale * sum_j Bt[j][col] * mid[entry][o][j], one thread per output column.
__global__ void lora_expand(const LoraTile *tiles, const int32_t *tokens, LoraOutputs outputs, float *mid) {
    const LoraTile tile = tiles[blockIdx.x];
    const LoraOutput out = outputs.out[blockIdx.z];
    if (tile.count == 0 || static_cast<int>(blockIdx.y) * kExpandThreads >= out.n_out) return;
    const LoraPairDevice pair = tile.pairs[out.pair_index];
    if (pair.rank == 0) return;
    __shared__ float m[kLoraTileTokens][kLoraMaxRank];
    __shared__ int32_t rows[kLoraTileTokens];
    for (int i = threadIdx.x; i < tile.count * pair.rank; i += kExpandThreads)
        m[i / pair.rank][i % pair.rank] = *mid_at(mid, tile.first + i / pair.rank, blockIdx.z, i % pair.rank);
    if (threadIdx.x < tile.count) rows[threadIdx.x] = tokens[tile.first + threadIdx.x];
    __syncthreads();
    const int col = blockIdx.y * kExpandThreads + threadIdx.x;
    if (col >= out.n_out) return;
    float acc[kLoraTileTokens] = {};
    for (int j = 0; j < pair.rank; ++j) {
        const float b = pair.bt[static_cast<size_t>(j) * out.n_out + col];
#pragma unroll
        for (int t = 0; t < kLoraTileTokens; ++t)
            if (t < tile.count) acc[t] += b * m[t][j];
    }
    for (int t = 0; t < tile.count; ++t) out.y[static_cast<size_t>(rows[t]) * out.ldy + col] += pair.scale * acc[t];
}

}  // namespace

void add_lora(const LoraTile *tiles, int n_tiles, const int32_t *tokens, const float *x, int ldx, int n_in,
              const LoraOutputs &outputs, float *mid, cudaStream_t stream) {
    if (n_tiles == 0 || outputs.n == 0) return;
    int max_out = 0;
    for (int o = 0; o < outputs.n; ++o) max_out = std::max(max_out, outputs.out[o].n_out);
    lora_shrink<<<dim3(n_tiles, outputs.n), kShrinkWarps * kWarpSize, 0, stream>>>(tiles, tokens, x, ldx, n_in, outputs, mid);
    LLCUDA_CUDA_CHECK_LAUNCH();
    lora_expand<<<dim3(n_tiles, ceil_div(max_out, kExpandThreads), outputs.n), kExpandThreads, 0, stream>>>(tiles, tokens,
                                                                                                         outputs, mid);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
