// Tensor-core products for prompt chunks and large batches: Y[M x N] = X[M x K] * W[N x K]^T.
// Each block computes a 128x64 tile of Y with eight warps (32x32 each, WMMA 16x16x16 FP16 with FP32
// accumulation: available from sm_70, so the T4 runs the same code); 128 tokens per tile halve the
// dequantization work per product compared with 64. Weight tiles are dequantized
// from their GGUF blocks by the same chunk16 functions as the decode kernel, converted to FP16 and
// written to shared memory; activations are converted to FP16 on load. Shared memory per block is
// 34 KB (128x72 and 64x72 FP16 tiles, reused for the 128x68 FP32 result), under the T4's 48 KB.
#include <mma.h>

#include <algorithm>

#include "dequant.cuh"
#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kTileM = 128, kTileN = 64, kTileK = 64;
constexpr int kWeightChunks = kTileN * (kTileK / 16) / kThreads;  // chunk16 per thread per tile
constexpr int kActVecs = kTileM * (kTileK / 4) / kThreads;        // float4 per thread per tile
constexpr int kPadH = 8;   // halves of padding per row: keeps WMMA loads off one bank
constexpr int kPadF = 4;   // floats of padding per result row
constexpr int kLdA = kTileK + kPadH, kLdC = kTileN + kPadF;

struct TileStorage {
    union {
        struct {
            __half a[kTileM][kLdA];
            __half b[kTileN][kLdA];
        } in;
        float c[kTileM][kLdC];
    };
};
static_assert(sizeof(TileStorage) <= kMaxStaticSharedBytes, "tile exceeds the T4 shared memory");

template <int TYPE>
__global__ void __launch_bounds__(kThreads, 2)  // two blocks per SM: 16 warps to hide latency
mat_mul_kernel(const uint8_t *__restrict__ w, uint64_t row_bytes, int64_t n_rows, int k,
               const float *__restrict__ x, int ldx, int m, float *__restrict__ y, int ldy,
               int accumulate, int k_per_split) {
    using namespace nvcuda;
    __shared__ __align__(32) TileStorage s;
    const int64_t n0 = static_cast<int64_t>(blockIdx.x) * kTileN;
    const int m0 = blockIdx.y * kTileM;
    const int k_begin = blockIdx.z * k_per_split;
    const int k_end = min(k, k_begin + k_per_split);
    const int warp = threadIdx.x / kWarpSize;
    const int wm = (warp / 2) * 32, wn = (warp % 2) * 32;

    // The next tile is loaded (and dequantized) into registers while the tensor cores work on the
    // current one from shared memory.
    __half2 wreg[kWeightChunks][8], xreg[kActVecs][2];
    auto load = [&](int k0) {
#pragma unroll
        for (int i = 0; i < kWeightChunks; ++i) {  // weights: 64 rows x 4 chunks of 16
            const int idx = threadIdx.x + i * kThreads;
            const int r = idx / 4, kc = (idx % 4) * 16;
            float v[16];
            if (n0 + r < n_rows && k0 + kc < k) {
                Dequant<TYPE>::chunk16(w + (n0 + r) * row_bytes, k0 + kc, v);
            } else {
#pragma unroll
                for (int e = 0; e < 16; ++e) v[e] = 0.0f;
            }
#pragma unroll
            for (int e = 0; e < 8; ++e) wreg[i][e] = __floats2half2_rn(v[2 * e], v[2 * e + 1]);
        }
#pragma unroll
        for (int i = 0; i < kActVecs; ++i) {  // activations: 128 tokens x 16 float4
            const int idx = threadIdx.x + i * kThreads;
            const int r = idx / 16, kc = (idx % 16) * 4;
            float4 v = make_float4(0.f, 0.f, 0.f, 0.f);
            if (m0 + r < m && k0 + kc < k)
                v = __ldg(reinterpret_cast<const float4 *>(x + static_cast<int64_t>(m0 + r) * ldx + k0 + kc));
            xreg[i][0] = __floats2half2_rn(v.x, v.y);
            xreg[i][1] = __floats2half2_rn(v.z, v.w);
        }
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
            const int r = idx / 16, kc = (idx % 16) * 4;
            *reinterpret_cast<__half2 *>(&s.in.a[r][kc]) = xreg[i][0];
            *reinterpret_cast<__half2 *>(&s.in.a[r][kc + 2]) = xreg[i][1];
        }
    };

    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][2];
#pragma unroll
    for (int i = 0; i < 2; ++i)
#pragma unroll
        for (int j = 0; j < 2; ++j) wmma::fill_fragment(acc[i][j], 0.0f);

    load(k_begin);
    store();
    __syncthreads();
    for (int k0 = k_begin; k0 < k_end; k0 += kTileK) {
        const bool more = k0 + kTileK < k_end;
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
            if (split) atomicAdd(dst, s.c[r][c]);  // y was zeroed (or holds the residual)
            else *dst = accumulate ? *dst + s.c[r][c] : s.c[r][c];
        }
    }
}

// Small grids (few output tiles, as in decode batches and the K/V projections) leave most SMs
// idle; splitting K gives every SM work, the partial tiles meeting in y by atomic adds.
int k_splits(int blocks, int k_tiles) {
    int device = 0, sms = 0;
    LLCUDA_CUDA_CHECK(cudaGetDevice(&device));
    LLCUDA_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
    const int target = 2 * sms;
    if (blocks >= target) return 1;
    const int most = std::max(1, k_tiles / 4);  // each split keeps at least 4 tiles of K
    return std::min(most, (target + blocks - 1) / blocks);
}

template <int TYPE>
void launch_mat_mul(const DeviceMatrix &w, const float *x, int ldx, int m, float *y, int ldy,
                    bool accumulate, cudaStream_t stream) {
    const int k = static_cast<int>(w.cols);
    const int k_tiles = ceil_div(k, kTileK);
    const int gn = ceil_div(w.rows, kTileN), gm = ceil_div(m, kTileM);
    int splits = k_splits(gn * gm, k_tiles);
    const int per_split = ceil_div(k_tiles, splits);
    splits = ceil_div(k_tiles, per_split);
    if (splits > 1 && !accumulate)
        LLCUDA_CUDA_CHECK(cudaMemset2DAsync(y, static_cast<size_t>(ldy) * sizeof(float), 0,
                                            static_cast<size_t>(w.rows) * sizeof(float), m, stream));
    const dim3 grid(gn, gm, splits);
    mat_mul_kernel<TYPE><<<grid, kThreads, 0, stream>>>(w.data, w.row_bytes, w.rows, k, x, ldx, m, y, ldy,
                                                        accumulate, per_split * kTileK);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace

void mat_mul_tensor_cores(const DeviceMatrix &w, const float *x, int ldx, int m, float *y, int ldy,
                          bool accumulate, cudaStream_t stream) {
    require(m >= 1 && m <= 65535 * kTileM, "mat_mul: token count " + std::to_string(m) + " out of range");
    require(w.cols % 16 == 0 && ldx % 4 == 0, "mat_mul: row length " + std::to_string(w.cols) +
                                                  " is not a multiple of 16");
    LLCUDA_DISPATCH_WEIGHT_TYPE(w.type, launch_mat_mul, w, x, ldx, m, y, ldy, accumulate, stream);
}

}  // namespace llcuda::cuda
