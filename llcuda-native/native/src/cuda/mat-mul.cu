// Tensor-core products for prompt chunks and large batches: Y[M x N] = X[M x K] * W[N x K]^T.
// Each block computes a TILE_M x 64 tile of Y with warps of 32x32 each (WMMA 16x16x16 FP16 with FP32
// accumulation: available from sm_70, so the T4 runs the same code). Prompts take 128-token tiles
// (eight warps), which halve the dequantization work per product compared with 64; decode batches of
// up to 64 tokens (mat-select.cu decides from how many) take 64-token tiles (four warps), so little
// tensor-core work goes to padding and three or four blocks share an SM instead of two (as many as
// the registers of the next tile's raw bytes allow without spills). Weight tiles are dequantized
// from their GGUF blocks by the same Dequant functions as the decode kernel (the next tile's bytes
// loaded before the current tile's products, decoded after them, straight to FP16 pairs) and
// written to shared memory; activations come in FP16, converted once per product. Shared memory per
// block is at most 34 KB (TILE_M x 72 and 64x72 FP16 tiles, reused for the TILE_M x 68 FP32
// result), under the T4's 48 KB.
#include <mma.h>

#include <algorithm>

#include "int-quants.cuh"
#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kTileN = 64, kTileK = 64;
constexpr int kPadH = 8;  // halves of padding per row: keeps WMMA loads off one bank
constexpr int kPadF = 4;  // floats of padding per result row
constexpr int kLdA = kTileK + kPadH, kLdC = kTileN + kPadF;

template <int TYPE, int TILE_M>
struct TileShape {
    static constexpr int kThreads = TILE_M / 32 * 2 * kWarpSize;  // one warp per 32x32
    // 64-token tiles: four blocks per SM where the registers allow it without spills on sm_75 and
    // sm_90 (ptxas), three for the types whose raw bytes or values take more (7B Q4_K_M, 64
    // sequences, Q4_K at four: 4,651 -> 4,888 t/s).
    static constexpr bool kWideRaw = TYPE == LLCUDA_TYPE_Q5_K || TYPE == LLCUDA_TYPE_Q6_K || TYPE == LLCUDA_TYPE_Q3_K;
    static constexpr int kBlocksPerSm = TILE_M == 128 ? 2 : (kWideRaw ? 3 : 4);
    // L2 prefetch of the tile after next: decode batches (7B shape, 64 sequences: 3,644 -> 3,877 t/s
    // with the split choice below) gain; prompt tiles lose (7B pp512: 6,725 -> 6,165 t/s).
    static constexpr bool kPrefetch = TILE_M == 64;
    static constexpr int kWeightChunks = kTileN * (kTileK / 16) / kThreads;  // chunk16 per thread per tile
    static constexpr int kActVecs = TILE_M * (kTileK / 8) / kThreads;        // 8 halves per thread per tile
};

template <int TILE_M>
struct TileStorage {
    union {
        struct {
            __half a[TILE_M][kLdA];
            __half b[kTileN][kLdA];
        } in;
        float c[TILE_M][kLdC];
    };
};
static_assert(sizeof(TileStorage<128>) <= kMaxStaticSharedBytes, "tile exceeds the T4 shared memory");

template <int TYPE, int TILE_M>
__global__ void __launch_bounds__(TileShape<TYPE, TILE_M>::kThreads, TileShape<TYPE, TILE_M>::kBlocksPerSm)
    mat_mul_kernel(const uint8_t *__restrict__ w, uint64_t row_bytes, int64_t n_rows, int k,
                   const __half *__restrict__ x, int m, float *__restrict__ y, int ldy, int accumulate, int k_per_split,
                   const ExpertTile *__restrict__ tiles, uint64_t expert_bytes) {
    using namespace nvcuda;
    using Shape = TileShape<TYPE, TILE_M>;
    constexpr int kThreads = Shape::kThreads, kWeightChunks = Shape::kWeightChunks, kActVecs = Shape::kActVecs;
    constexpr int kTileM = TILE_M;
    __shared__ __align__(32) TileStorage<TILE_M> s;
    const int64_t n0 = static_cast<int64_t>(blockIdx.x) * kTileN;
    int m0 = blockIdx.y * kTileM;
    if (tiles != nullptr) {  // grouped experts: this tile's rows [first, end) all go to one expert's matrix
        const ExpertTile tile = tiles[blockIdx.y];
        if (tile.expert < 0) return;  // past the tiles the routing made (the grid is sized for the most)
        w += static_cast<uint64_t>(tile.expert) * expert_bytes;
        m0 = tile.first;
        m = tile.end;
    }
    const int k_begin = blockIdx.z * k_per_split;
    const int k_end = min(k, k_begin + k_per_split);
    const int warp = threadIdx.x / kWarpSize;
    const int wm = (warp / 2) * 32, wn = (warp % 2) * 32;

    // The next tile's bytes are loaded into registers before the tensor cores work on the current
    // one from shared memory, and dequantized after: the products hide the loads' latency. (Chunks
    // past the matrix stay zero bytes, which every type decodes to zeros.)
    using Raw = typename Dequant<TYPE>::Raw;
    Raw wraw[kWeightChunks];
    __half2 wreg[kWeightChunks][8];
    uint4 xreg[kActVecs];
    auto load = [&](int k0) {
#pragma unroll
        for (int i = 0; i < kWeightChunks; ++i) {  // weights: 64 rows x 4 chunks of 16
            const int idx = threadIdx.x + i * kThreads;
            const int r = idx / 4, kc = (idx % 4) * 16;
            wraw[i] = Raw{};
            if (n0 + r < n_rows && k0 + kc < k) wraw[i] = Dequant<TYPE>::load(w + (n0 + r) * row_bytes, k0 + kc);
        }
#pragma unroll
        for (int i = 0; i < kActVecs; ++i) {  // activations: TILE_M tokens x 8 words of 8 halves
            const int idx = threadIdx.x + i * kThreads;
            const int r = idx / 8, kc = (idx % 8) * 8;
            xreg[i] = make_uint4(0u, 0u, 0u, 0u);
            if (m0 + r < m && k0 + kc < k)
                xreg[i] = __ldg(reinterpret_cast<const uint4 *>(x + static_cast<int64_t>(m0 + r) * k + k0 + kc));
        }
    };
    auto decode = [&](int k0) {
#pragma unroll
        for (int i = 0; i < kWeightChunks; ++i)
            Dequant<TYPE>::decode_h2(wraw[i], k0 + ((threadIdx.x + i * kThreads) % 4) * 16, wreg[i]);
    };
    auto store = [&]() {
#pragma unroll
        for (int i = 0; i < kWeightChunks; ++i) {
            const int idx = threadIdx.x + i * kThreads;
            const int r = idx / 4, kc = (idx % 4) * 16;
#pragma unroll
            for (int e = 0; e < 8; ++e) *reinterpret_cast<__half2 *>(&s.in.b[r][kc + 2 * e]) = wreg[i][e];
        }
#pragma unroll
        for (int i = 0; i < kActVecs; ++i) {
            const int idx = threadIdx.x + i * kThreads;
            *reinterpret_cast<uint4 *>(&s.in.a[idx / 8][(idx % 8) * 8]) = xreg[i];
        }
    };

    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][2];
#pragma unroll
    for (int i = 0; i < 2; ++i)
#pragma unroll
        for (int j = 0; j < 2; ++j) wmma::fill_fragment(acc[i][j], 0.0f);

    // With kPrefetch, the weight bytes of the tile after next go to L2 while this one is multiplied,
    // so the loads of the next tile (issued before this tile's products) wait for L2, not device memory.
    auto prefetch = [&](int kp) {
        if constexpr (Shape::kPrefetch) {
            const int r = threadIdx.x % kTileN, line = threadIdx.x / kTileN;  // kThreads / 64 lines per row
            if (kp >= k_end || n0 + r >= n_rows) return;
            const uint64_t first = (static_cast<uint64_t>(kp) * row_bytes / k) & ~uint64_t{127};
            const uint64_t last = static_cast<uint64_t>(min(kp + kTileK, k)) * row_bytes / k;
            const uint64_t at = first + 128u * line;
            if (at < last) asm volatile("prefetch.global.L2 [%0];" ::"l"(w + (n0 + r) * row_bytes + at));
        }
    };

    prefetch(k_begin + kTileK);
    load(k_begin);
    decode(k_begin);
    store();
    __syncthreads();
    for (int k0 = k_begin; k0 < k_end; k0 += kTileK) {
        const bool more = k0 + kTileK < k_end;
        prefetch(k0 + 2 * kTileK);
        if (more) load(k0 + kTileK);
#pragma unroll
        for (int kk = 0; kk < kTileK; kk += 16) {
            wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major> fa[2];
            wmma::fragment<wmma::matrix_b, 16, 16, 16, __half, wmma::col_major> fb[2];
#pragma unroll
            for (int i = 0; i < 2; ++i) wmma::load_matrix_sync(fa[i], &s.in.a[wm + 16 * i][kk], kLdA);
#pragma unroll
            for (int j = 0; j < 2; ++j) wmma::load_matrix_sync(fb[j], &s.in.b[wn + 16 * j][kk], kLdA);
#pragma unroll
            for (int i = 0; i < 2; ++i)
#pragma unroll
                for (int j = 0; j < 2; ++j) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
        }
        __syncthreads();
        if (more) {
            decode(k0 + kTileK);
            store();
            __syncthreads();
        }
    }

#pragma unroll
    for (int i = 0; i < 2; ++i)
#pragma unroll
        for (int j = 0; j < 2; ++j)
            wmma::store_matrix_sync(&s.c[wm + 16 * i][wn + 16 * j], acc[i][j], kLdC, wmma::mem_row_major);
    __syncthreads();
    const bool split = gridDim.z > 1;
    for (int idx = threadIdx.x; idx < kTileM * kTileN; idx += kThreads) {
        const int r = idx / kTileN, c = idx % kTileN;
        if (m0 + r < m && n0 + c < n_rows) {
            float *dst = y + static_cast<int64_t>(m0 + r) * ldy + n0 + c;
            if (split)
                atomicAdd(dst, s.c[r][c]);  // y was zeroed (or holds the residual)
            else
                *dst = accumulate ? *dst + s.c[r][c] : s.c[r][c];
        }
    }
}

// The activations in FP16 once per product (dense rows of k), not once per block column of the grid.
// With `from` (grouped experts) row r is input row from[r] / share: the rows gathered expert by expert.
__global__ void __launch_bounds__(256)
    to_half_kernel(const float *__restrict__ x, int ldx, int m, int k, __half *__restrict__ out,
                   const int32_t *__restrict__ from, int share) {
    const int64_t quads = static_cast<int64_t>(m) * (k / 4);
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < quads;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t r = i / (k / 4), c = 4 * (i % (k / 4));
        const int64_t src = from != nullptr ? from[r] / share : r;
        const float4 v = *reinterpret_cast<const float4 *>(x + src * ldx + c);
        const __half2 h[2] = {__floats2half2_rn(v.x, v.y), __floats2half2_rn(v.z, v.w)};
        *reinterpret_cast<uint2 *>(out + r * k + c) = *reinterpret_cast<const uint2 *>(h);
    }
}

// Grids of fewer blocks than the SMs hold (decode batches, the K/V projections) split K, the
// partial tiles meeting in y by atomic adds. A block costs its K tiles plus about two tiles of fixed
// work (prologue, epilogue, atomics); the split count with the least total (waves times block
// cost) wins, each split keeping at least 4 K tiles. Fuller grids (prompts) stay whole: there the
// atomics of a split cost more than its better last wave gains (7B shape, pp512: 6,725 -> 6,288 t/s
// when split).
int k_splits(int blocks, int k_tiles, int blocks_per_sm, int sm_count) {
    const int64_t slots = static_cast<int64_t>(blocks_per_sm) * sm_count;
    if (blocks >= slots) return 1;
    int best = 1;
    double best_cost = 0;
    for (int s = 1; s <= std::max(1, std::min(64, k_tiles / 4)); ++s) {
        const int64_t waves = (s * static_cast<int64_t>(blocks) + slots - 1) / slots;
        const double cost = static_cast<double>(waves) * (2.0 + static_cast<double>(ceil_div(k_tiles, s)));
        if (s == 1 || cost < best_cost) {
            best = s;
            best_cost = cost;
        }
    }
    return best;
}

template <int TYPE, int TILE_M>
void launch_tiles(const DeviceMatrix &w, const __half *x, int m, float *y, int ldy, bool accumulate, int sm_count,
                  cudaStream_t stream) {
    using Shape = TileShape<TYPE, TILE_M>;
    const int k = static_cast<int>(w.cols);
    const int k_tiles = ceil_div(k, kTileK);
    const int gn = ceil_div(w.rows, kTileN), gm = ceil_div(m, TILE_M);
    int splits = k_splits(gn * gm, k_tiles, Shape::kBlocksPerSm, sm_count);
    const int per_split = ceil_div(k_tiles, splits);
    splits = ceil_div(k_tiles, per_split);
    if (splits > 1 && !accumulate)
        LLCUDA_CUDA_CHECK(cudaMemset2DAsync(y, static_cast<size_t>(ldy) * sizeof(float), 0,
                                            static_cast<size_t>(w.rows) * sizeof(float), m, stream));
    const dim3 grid(gn, gm, splits);
    mat_mul_kernel<TYPE, TILE_M><<<grid, Shape::kThreads, 0, stream>>>(w.data, w.row_bytes, w.rows, k, x, m, y, ldy,
                                                                       accumulate, per_split * kTileK, nullptr, 0);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

// One block row per expert tile (whole K: the tiles of a routed batch fill the grid themselves).
template <int TYPE>
void launch_expert_tiles(const DeviceMatrix &w, uint64_t expert_bytes, const __half *x, const ExpertTile *tiles,
                         int n_tiles, float *y, int ldy, cudaStream_t stream) {
    if constexpr (TYPE == LLCUDA_TYPE_F32) {
        fail(LLCUDA_ERR_UNSUPPORTED,
             "mat_mul_experts: F32 expert weights take the FP32 mat-vec, not the FP16 tensor cores");
    } else {
        using Shape = TileShape<TYPE, kExpertTileRows>;
        const int k = static_cast<int>(w.cols);
        const dim3 grid(ceil_div(w.rows, kTileN), n_tiles, 1);
        mat_mul_kernel<TYPE, kExpertTileRows><<<grid, Shape::kThreads, 0, stream>>>(
            w.data, w.row_bytes, w.rows, k, x, 0, y, ldy, 0, ceil_div(k, kTileK) * kTileK, tiles, expert_bytes);
        LLCUDA_CUDA_CHECK_LAUNCH();
    }
}

template <int TYPE>
void launch_mat_mul(const DeviceMatrix &w, const __half *x, int m, float *y, int ldy, bool accumulate, int sm_count,
                    cudaStream_t stream) {
    if constexpr (TYPE == LLCUDA_TYPE_F32) {
        fail(LLCUDA_ERR_UNSUPPORTED, "mat_mul: F32 weights take the FP32 mat-vec, not the FP16 tensor cores");
    } else if (m <= 64) {
        launch_tiles<TYPE, 64>(w, x, m, y, ldy, accumulate, sm_count, stream);
    } else {
        launch_tiles<TYPE, 128>(w, x, m, y, ldy, accumulate, sm_count, stream);
    }
}

}  // namespace

void mat_mul_tensor_cores(const DeviceMatrix &w, const float *x, int ldx, int m, float *y, int ldy, bool accumulate,
                          int sm_count, const HalfScratch &x16, cudaStream_t stream) {
    require(m >= 1 && m <= 65535 * 128, "mat_mul: token count " + std::to_string(m) + " out of range");
    require(w.cols % 16 == 0, "mat_mul: row length " + std::to_string(w.cols) + " is not a multiple of 16");
    require(ldx % 4 == 0 && reinterpret_cast<uintptr_t>(x) % 16 == 0,
            "mat_mul: activation rows of stride " + std::to_string(ldx) + " are not 16-byte aligned");
    const size_t need = static_cast<size_t>(m) * static_cast<size_t>(w.cols);
    require(x16.p != nullptr && reinterpret_cast<uintptr_t>(x16.p) % 16 == 0 && x16.halves >= need,
            "mat_mul: FP16 activation scratch of " + std::to_string(x16.halves) + " halves for " + std::to_string(m) +
                " x " + std::to_string(w.cols) + " (16-byte aligned)");
    const int k = static_cast<int>(w.cols);
    const int64_t quads = static_cast<int64_t>(m) * (k / 4);
    const int blocks = static_cast<int>(std::min<int64_t>((quads + 255) / 256, 8 * static_cast<int64_t>(sm_count)));
    to_half_kernel<<<blocks, 256, 0, stream>>>(x, ldx, m, k, x16.p, nullptr, 1);
    LLCUDA_CUDA_CHECK_LAUNCH();
    LLCUDA_DISPATCH_WEIGHT_TYPE(w.type, launch_mat_mul, w, x16.p, m, y, ldy, accumulate, sm_count, stream);
}

void mat_mul_experts(const DeviceMatrix &w, uint64_t expert_bytes, const float *x, int ldx, const int32_t *from,
                     int share, int m, const ExpertTile *tiles, int n_tiles, float *y, int ldy, int sm_count,
                     const HalfScratch &x16, cudaStream_t stream) {
    require(m >= 1 && n_tiles >= 1 && n_tiles <= 65535 && share >= 1,
            "mat_mul_experts: " + std::to_string(m) + " rows in " + std::to_string(n_tiles) + " tiles out of range");
    require(w.cols % 16 == 0 && ldx % 4 == 0 && reinterpret_cast<uintptr_t>(x) % 16 == 0,
            "mat_mul_experts: rows of " + std::to_string(w.cols) + " (stride " + std::to_string(ldx) +
                ") are not 16-byte aligned multiples of 16");
    require(x16.p != nullptr && x16.halves >= static_cast<size_t>(m) * static_cast<size_t>(w.cols),
            "mat_mul_experts: FP16 activation scratch of " + std::to_string(x16.halves) + " halves for " +
                std::to_string(m) + " x " + std::to_string(w.cols));
    const int k = static_cast<int>(w.cols);
    const int64_t quads = static_cast<int64_t>(m) * (k / 4);
    const int blocks = static_cast<int>(std::min<int64_t>((quads + 255) / 256, 8 * static_cast<int64_t>(sm_count)));
    to_half_kernel<<<blocks, 256, 0, stream>>>(x, ldx, m, k, x16.p, from, share);
    LLCUDA_CUDA_CHECK_LAUNCH();
    LLCUDA_DISPATCH_WEIGHT_TYPE(w.type, launch_expert_tiles, w, expert_bytes, x16.p, tiles, n_tiles, y, ldy, stream);
}

}  // namespace llcuda::cuda
