// Decode products: each block reads kRows weight rows once, straight from their GGUF blocks, and
// multiplies them with up to kMatVecMaxTokens activation rows. Memory-bound: every thread streams
// 16-element chunks of consecutive addresses (coalesced across the warp), the four warps of a block
// split the row so that even narrow matrices put enough loads in flight, and two rows per block
// let each activation chunk (read through L1) serve two rows.
#include "dequant.cuh"
#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 128;
constexpr int kRows = 2;

template <int TYPE, int M>
__global__ void __launch_bounds__(kThreads)
mat_vec_kernel(const uint8_t *__restrict__ w, uint64_t row_bytes, int64_t n_rows, int k,
               const float *__restrict__ x, int ldx, int m, float *__restrict__ y, int ldy,
               int accumulate) {
    const int64_t row0 = static_cast<int64_t>(blockIdx.x) * kRows;
    const int n_chunks = k / 16;
    float acc[kRows][M];
#pragma unroll
    for (int r = 0; r < kRows; ++r)
#pragma unroll
        for (int t = 0; t < M; ++t) acc[r][t] = 0.0f;

    for (int c = threadIdx.x; c < n_chunks; c += kThreads) {
        float wv[kRows][16];
#pragma unroll
        for (int r = 0; r < kRows; ++r) {
            if (row0 + r < n_rows) {
                Dequant<TYPE>::chunk16(w + (row0 + r) * row_bytes, 16 * c, wv[r]);
            } else {
#pragma unroll
                for (int i = 0; i < 16; ++i) wv[r][i] = 0.0f;
            }
        }
#pragma unroll
        for (int t = 0; t < M; ++t) {
            if (t < m) {
                const float4 *xp = reinterpret_cast<const float4 *>(x + static_cast<int64_t>(t) * ldx + 16 * c);
#pragma unroll
                for (int i = 0; i < 4; ++i) {
                    const float4 xv = __ldg(xp + i);
#pragma unroll
                    for (int r = 0; r < kRows; ++r) {
                        acc[r][t] = fmaf(wv[r][4 * i], xv.x, acc[r][t]);
                        acc[r][t] = fmaf(wv[r][4 * i + 1], xv.y, acc[r][t]);
                        acc[r][t] = fmaf(wv[r][4 * i + 2], xv.z, acc[r][t]);
                        acc[r][t] = fmaf(wv[r][4 * i + 3], xv.w, acc[r][t]);
                    }
                }
            }
        }
    }

    __shared__ float partial[kThreads / kWarpSize][kRows][M];
    const int warp = threadIdx.x / kWarpSize, lane = threadIdx.x % kWarpSize;
#pragma unroll
    for (int r = 0; r < kRows; ++r)
#pragma unroll
        for (int t = 0; t < M; ++t) {
            const float s = warp_sum(acc[r][t]);
            if (lane == 0) partial[warp][r][t] = s;
        }
    __syncthreads();
    if (threadIdx.x < kRows * M) {
        const int r = threadIdx.x / M, t = threadIdx.x % M;
        if (t < m && row0 + r < n_rows) {
            float s = 0.0f;
#pragma unroll
            for (int i = 0; i < kThreads / kWarpSize; ++i) s += partial[i][r][t];
            float *dst = y + static_cast<int64_t>(t) * ldy + row0 + r;
            *dst = accumulate ? *dst + s : s;
        }
    }
}

template <int TYPE>
void launch_mat_vec(const DeviceMatrix &w, const float *x, int ldx, int m, float *y, int ldy,
                    bool accumulate, cudaStream_t stream) {
    const dim3 grid(ceil_div(w.rows, kRows));
    const int k = static_cast<int>(w.cols);
    if (m == 1) {
        mat_vec_kernel<TYPE, 1><<<grid, kThreads, 0, stream>>>(w.data, w.row_bytes, w.rows, k, x, ldx, m, y, ldy, accumulate);
    } else if (m == 2) {
        mat_vec_kernel<TYPE, 2><<<grid, kThreads, 0, stream>>>(w.data, w.row_bytes, w.rows, k, x, ldx, m, y, ldy, accumulate);
    } else if (m <= 4) {
        mat_vec_kernel<TYPE, 4><<<grid, kThreads, 0, stream>>>(w.data, w.row_bytes, w.rows, k, x, ldx, m, y, ldy, accumulate);
    } else {
        mat_vec_kernel<TYPE, 8><<<grid, kThreads, 0, stream>>>(w.data, w.row_bytes, w.rows, k, x, ldx, m, y, ldy, accumulate);
    }
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace

void mat_vec(const DeviceMatrix &w, const float *x, int ldx, int m, float *y, int ldy,
             bool accumulate, cudaStream_t stream) {
    require(m >= 1 && m <= kMatVecMaxTokens, "mat_vec: " + std::to_string(m) + " tokens, at most " +
                                                 std::to_string(kMatVecMaxTokens));
    require(w.cols % 16 == 0 && ldx % 4 == 0, "mat_vec: row length " + std::to_string(w.cols) +
                                                  " is not a multiple of 16");
    LLCUDA_DISPATCH_WEIGHT_TYPE(w.type, launch_mat_vec, w, x, ldx, m, y, ldy, accumulate, stream);
}

}  // namespace llcuda::cuda
