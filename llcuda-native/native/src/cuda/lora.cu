#include "lora.cuh"

#include <algorithm>

#include "dependent-launch.cuh"

namespace llcuda::cuda {
namespace {

// A shrink item (kLoraShrinkRows rank rows of one tile's stack for one output) spreads each row's
// dot product over the whole block, four inputs per thread and stride, so the input width is walked
// in a few strides and a batch-1 step's latency does not grow with it.
constexpr int kShrinkThreads = 256;
constexpr int kShrinkWarps = kShrinkThreads / kWarpSize;
// An expand item: kExpandThreads output columns of one tile and output, one thread per column.
constexpr int kExpandThreads = 256;

__device__ __forceinline__ float *mid_at(float *mid, int entry, int output, int j) {
    return mid + (static_cast<size_t>(entry) * kLoraMaxOutputs + output) * kLoraMaxRank + j;
}

__device__ __forceinline__ float dot4(float4 a, float4 b, float acc) {
    return fmaf(a.w, b.w, fmaf(a.z, b.z, fmaf(a.y, b.y, fmaf(a.x, b.x, acc))));
}

// After the call, lane i holds the warp's sum of v[i]: five halving exchanges (each lane keeps the
// half of the values on its side of the partner lane and adds the partner's copy of that half).
// Every index is summed over the same pairing of lanes, so a value's sum does not depend on its index.
__device__ __forceinline__ float warp_reduce_scatter(float (&v)[kWarpSize]) {
    const int lane = threadIdx.x % kWarpSize;
#pragma unroll
    for (int width = kWarpSize / 2; width > 0; width /= 2) {
        const bool upper = (lane & width) != 0;
#pragma unroll
        for (int j = 0; j < width; ++j) {
            const float keep = upper ? v[j + width] : v[j];
            const float send = upper ? v[j] : v[j + width];
            v[j] = keep + __shfl_xor_sync(0xffffffffu, send, width);
        }
    }
    return v[0];
}

// The rows of the stack's adapters' pairs `pair_index` from row first_row on (rows numbered across
// the stack's adapters in order; nullptr past the stack's total), and that total.
__device__ __forceinline__ int stack_rows(const LoraStack &stack, int pair_index, int first_row, int n_in,
                                          const float *(&a_rows)[kLoraShrinkRows]) {
    int total = 0;
    for (int m = 0; m < stack.n; ++m) {
        const LoraPairDevice pair = stack.pairs[m][pair_index];
#pragma unroll
        for (int i = 0; i < kLoraShrinkRows; ++i) {
            const int j = first_row + i - total;
            if (j >= 0 && j < pair.rank) a_rows[i] = pair.a + static_cast<size_t>(j) * n_in;
        }
        total += pair.rank;
    }
    return total;
}

// Items: (tile, block of rank rows, output), the output fastest. mid[entry][o][r] = A_r . x[token].
__global__ void __launch_bounds__(kShrinkThreads)
    lora_shrink_kernel(LoraStep step, const float *__restrict__ x, int ldx, int n_in, LoraOutputs outputs) {
    wait_for_previous_kernel();
    allow_next_kernel();
    const LoraCounts counts = *step.counts;
    const int items = counts.tiles * counts.row_blocks * outputs.n;
    __shared__ int32_t rows[kLoraTileTokens];
    __shared__ float partial[kShrinkWarps][kWarpSize];
    const int warp = threadIdx.x / kWarpSize, lane = threadIdx.x % kWarpSize;
    for (int item = blockIdx.x; item < items; item += gridDim.x) {
        const int o = item % outputs.n;
        const int first_row = (item / outputs.n) % counts.row_blocks * kLoraShrinkRows;
        const LoraTile tile = step.tiles[item / (outputs.n * counts.row_blocks)];
        const float *a_rows[kLoraShrinkRows] = {};
        const int total = stack_rows(step.stacks[tile.stack], outputs.out[o].pair_index, first_row, n_in, a_rows);
        if (first_row >= total) continue;  // the same for the whole block: no barrier is skipped by part of it
        __syncthreads();                   // the previous item's readers of rows and partial are done
        if (threadIdx.x < tile.count) rows[threadIdx.x] = step.tokens[tile.first + threadIdx.x];
        __syncthreads();
        float acc[kLoraShrinkRows][kLoraTileTokens] = {};
        for (int k = 4 * threadIdx.x; k < n_in; k += 4 * kShrinkThreads) {
            float4 xv[kLoraTileTokens];
#pragma unroll
            for (int t = 0; t < kLoraTileTokens; ++t)
                xv[t] = t < tile.count ? *reinterpret_cast<const float4 *>(x + static_cast<size_t>(rows[t]) * ldx + k)
                                       : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
#pragma unroll
            for (int i = 0; i < kLoraShrinkRows; ++i) {
                if (a_rows[i] == nullptr) continue;
                const float4 w = *reinterpret_cast<const float4 *>(a_rows[i] + k);
#pragma unroll
                for (int t = 0; t < kLoraTileTokens; ++t) acc[i][t] = dot4(w, xv[t], acc[i][t]);
            }
        }
        float sums[kWarpSize];
#pragma unroll
        for (int i = 0; i < kLoraShrinkRows; ++i)
#pragma unroll
            for (int t = 0; t < kLoraTileTokens; ++t) sums[i * kLoraTileTokens + t] = acc[i][t];
        partial[warp][lane] = warp_reduce_scatter(sums);
        __syncthreads();
        if (threadIdx.x < kWarpSize) {
            const int i = threadIdx.x / kLoraTileTokens, t = threadIdx.x % kLoraTileTokens;
            if (first_row + i < total && t < tile.count) {
                float sum = 0.0f;
#pragma unroll
                for (int w = 0; w < kShrinkWarps; ++w) sum += partial[w][threadIdx.x];
                *mid_at(step.mid, tile.first + t, o, first_row + i) = sum;
            }
        }
    }
}

// Items: (tile, output, block of kExpandThreads columns), columns fastest; blocks past an output's
// width end at once. y[token][col] += sum_m factor_m * scale_m * sum_j Bt_m[j][col] *
// mid[entry][o][offset_m + j].
__global__ void __launch_bounds__(kExpandThreads)
    lora_expand_kernel(LoraStep step, LoraOutputs outputs, int col_blocks) {
    wait_for_previous_kernel();
    allow_next_kernel();
    const int items = step.counts->tiles * outputs.n * col_blocks;
    __shared__ float v[kLoraTileTokens][kLoraMaxRank];
    __shared__ int32_t rows[kLoraTileTokens];
    for (int item = blockIdx.x; item < items; item += gridDim.x) {
        const int col_block = item % col_blocks, o = item / col_blocks % outputs.n;
        const LoraOutput out = outputs.out[o];
        if (col_block * kExpandThreads >= out.n_out) continue;
        const LoraTile tile = step.tiles[item / (col_blocks * outputs.n)];
        const LoraStack &stack = step.stacks[tile.stack];
        int ranks = 0;
        for (int m = 0; m < stack.n; ++m) ranks += stack.pairs[m][out.pair_index].rank;
        if (ranks == 0) continue;
        __syncthreads();  // the previous item's readers of v and rows are done
        for (int i = threadIdx.x; i < tile.count * ranks; i += kExpandThreads)
            v[i / ranks][i % ranks] = *mid_at(step.mid, tile.first + i / ranks, o, i % ranks);
        if (threadIdx.x < tile.count) rows[threadIdx.x] = step.tokens[tile.first + threadIdx.x];
        __syncthreads();
        const int col = col_block * kExpandThreads + threadIdx.x;
        if (col >= out.n_out) continue;
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
}

// A launch's blocks: one per item the bounds allow, at most step.max_blocks (the kernels loop).
int lora_blocks(const LoraStep &step, int64_t items_bound) {
    return static_cast<int>(std::min<int64_t>(items_bound, step.max_blocks));
}

}  // namespace

void lora_shrink(const LoraStep &step, const float *x, int ldx, int n_in, const LoraOutputs &outputs,
                 cudaStream_t stream) {
    require(n_in % 4 == 0 && ldx % 4 == 0, "lora_shrink: input width " + std::to_string(n_in) + " and stride " +
                                               std::to_string(ldx) + " must be multiples of 4");
    const int blocks = lora_blocks(step, static_cast<int64_t>(step.max_tiles) * step.max_row_blocks * outputs.n);
    if (blocks == 0) return;
    launch_dependent(lora_shrink_kernel, dim3(blocks), dim3(kShrinkThreads), stream, step.overlap, step, x, ldx, n_in,
                     outputs);
}

void lora_expand(const LoraStep &step, const LoraOutputs &outputs, cudaStream_t stream) {
    int max_out = 0;
    for (int o = 0; o < outputs.n; ++o) max_out = std::max(max_out, outputs.out[o].n_out);
    const int col_blocks = ceil_div(max_out, kExpandThreads);
    const int blocks = lora_blocks(step, static_cast<int64_t>(step.max_tiles) * outputs.n * col_blocks);
    if (blocks == 0) return;
    launch_dependent(lora_expand_kernel, dim3(blocks), dim3(kExpandThreads), stream, step.overlap, step, outputs,
                     col_blocks);
}

}  // namespace llcuda::cuda
