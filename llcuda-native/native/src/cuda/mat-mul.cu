// Tensor-core products for prompt chunks and large batches: Y[M x N] = X[M x K] * W[N x K]^T.
// Each block computes a 64x64 tile of Y with four warps (32x32 each, WMMA 16x16x16 FP16 with FP32
// accumulation: available from sm_70, so the T4 runs the same code). Weight tiles are dequantized
// from their GGUF blocks by the same chunk16 functions as the decode kernel, converted to FP16 and
// written to shared memory; activations are converted to FP16 on load. Shared memory per block is
// 18 KB (two 64x72 FP16 tiles, reused for the 64x68 FP32 result), far under the T4's 48 KB.
#include <mma.h>

#include "dequant.cuh"
#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 128;
constexpr int kTileM = 64, kTileN = 64, kTileK = 64;
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
__global__ void __launch_bounds__(kThreads)
mat_mul_kernel(const uint8_t *__restrict__ w, uint64_t row_bytes, int64_t n_rows, int k,
               const float *__restrict__ x, int ldx, int m, float *__restrict__ y, int ldy,
               int accumulate) {
    using namespace nvcuda;
    __shared__ __align__(32) TileStorage s;
    const int64_t n0 = static_cast<int64_t>(blockIdx.x) * kTileN;
    const int m0 = blockIdx.y * kTileM;
    const int warp = threadIdx.x / kWarpSize;
    const int wm = (warp / 2) * 32, wn = (warp % 2) * 32;

    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][2];
#pragma unroll
    for (int i = 0; i < 2; ++i)
#pragma unroll
        for (int j = 0; j < 2; ++j) wmma::fill_fragment(acc[i][j], 0.0f);

    for (int k0 = 0; k0 < k; k0 += kTileK) {
        // Weights: 64 rows x 4 chunks of 16; two chunks per thread.
#pragma unroll
        for (int i = 0; i < 2; ++i) {
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
            for (int e = 0; e < 16; e += 2)
                *reinterpret_cast<__half2 *>(&s.in.b[r][kc + e]) = __floats2half2_rn(v[e], v[e + 1]);
        }
        // Activations: 64 tokens x 16 float4; eight per thread.
#pragma unroll
        for (int i = 0; i < 8; ++i) {
            const int idx = threadIdx.x + i * kThreads;
            const int r = idx / 16, kc = (idx % 16) * 4;
            float4 v = make_float4(0.f, 0.f, 0.f, 0.f);
            if (m0 + r < m && k0 + kc < k)
                v = __ldg(reinterpret_cast<const float4 *>(x + static_cast<int64_t>(m0 + r) * ldx + k0 + kc));
            *reinterpret_cast<__half2 *>(&s.in.a[r][kc]) = __floats2half2_rn(v.x, v.y);
            *reinterpret_cast<__half2 *>(&s.in.a[r][kc + 2]) = __floats2half2_rn(v.z, v.w);
        }
        __syncthreads();
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
    }

#pragma unroll
    for (int i = 0; i < 2; ++i)
#pragma unroll
        for (int j = 0; j < 2; ++j)
            wmma::store_matrix_sync(&s.c[wm + 16 * i][wn + 16 * j], acc[i][j], kLdC, wmma::mem_row_major);
    __syncthreads();
    for (int idx = threadIdx.x; idx < kTileM * kTileN; idx += kThreads) {
        const int r = idx / kTileN, c = idx % kTileN;
        if (m0 + r < m && n0 + c < n_rows) {
            float *dst = y + static_cast<int64_t>(m0 + r) * ldy + n0 + c;
            *dst = accumulate ? *dst + s.c[r][c] : s.c[r][c];
        }
    }
}

template <int TYPE>
void launch_mat_mul(const DeviceMatrix &w, const float *x, int ldx, int m, float *y, int ldy,
                    bool accumulate, cudaStream_t stream) {
    const dim3 grid(ceil_div(w.rows, kTileN), ceil_div(m, kTileM));
    mat_mul_kernel<TYPE><<<grid, kThreads, 0, stream>>>(w.data, w.row_bytes, w.rows,
                                                        static_cast<int>(w.cols), x, ldx, m, y,
                                                        ldy, accumulate);
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
