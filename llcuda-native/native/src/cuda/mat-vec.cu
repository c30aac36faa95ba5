// Decode products: each block reads a few weight rows once, straight from their GGUF blocks, and
// multiplies them with up to kMatVecMaxTokens activation rows. Memory-bound: every thread streams
// 16-element chunks of consecutive addresses (coalesced across the warp), the four warps of a block
// split the row so that even narrow matrices put enough loads in flight, and two rows per block
// let each activation chunk (read through L1) serve two rows. The quantized types have a second
// kernel on 8-bit activations (q8-activations.cuh): their weights stay integers and each 16-element
// chunk costs eight dp4a per row and token instead of 16 conversions and 16 FMAs, and the
// activations read per chunk shrink from 64 to 40 bytes. On sm_90 the kernels are launched to
// overlap the kernel before them (dependent-launch.cuh): a block first starts the fetch of its rows
// into L2, then waits for its input. (Eight rows per block for one-token products of 8,192+ rows,
// to put more weight bytes in flight, measured slower on the H200: TinyLlama gate|up 10.6 -> 12.2 us.)
#include "dependent-launch.cuh"
#include "int-quants.cuh"
#include "kernels.cuh"
#include "q8-activations.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 128;
constexpr int kRows = 2;

// The block's rows into L2, then the previous kernel's end (its output is this kernel's input).
__device__ __forceinline__ void start_rows(const uint8_t *w, uint64_t row_bytes, int64_t row0, int64_t n_rows) {
    if (threadIdx.x == 0) prefetch_to_l2(w + row0 * row_bytes, (min(n_rows, row0 + kRows) - row0) * row_bytes);
    wait_for_previous_kernel();
    allow_next_kernel();
}

// Sums each thread's acc[r][t] over the block and writes (or adds) y[t][row0 + r].
template <int M>
__device__ __forceinline__ void store_rows(const float (&acc)[kRows][M], int64_t row0, int64_t n_rows, int m,
                                           float *__restrict__ y, int ldy, int accumulate) {
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

// The block's rows of y = W x (the body of both FP32-activation kernels).
template <int TYPE, int M>
__device__ __forceinline__ void mat_vec_rows(const uint8_t *__restrict__ w, uint64_t row_bytes, int64_t n_rows, int k,
                                             const float *__restrict__ x, int ldx, int m, float *__restrict__ y,
                                             int ldy, int accumulate) {
    const int64_t row0 = static_cast<int64_t>(blockIdx.x) * kRows;
    const int n_chunks = k / 16;
    float acc[kRows][M];
#pragma unroll
    for (int r = 0; r < kRows; ++r)
#pragma unroll
        for (int t = 0; t < M; ++t) acc[r][t] = 0.0f;

    start_rows(w, row_bytes, row0, n_rows);
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

    store_rows<M>(acc, row0, n_rows, m, y, ldy, accumulate);
}

// Grid row y takes tokens [M*y, M*y + M) of the m: products of more than M tokens (F32 weights
// always stay here, MoE routers included) are one launch instead of one per M tokens.
template <int TYPE, int M>
__global__ void __launch_bounds__(kThreads)
    mat_vec_kernel(const uint8_t *__restrict__ w, uint64_t row_bytes, int64_t n_rows, int k,
                   const float *__restrict__ x, int ldx, int m, float *__restrict__ y, int ldy, int accumulate) {
    const int t0 = M * static_cast<int>(blockIdx.y);
    mat_vec_rows<TYPE, M>(w, row_bytes, n_rows, k, x + static_cast<int64_t>(t0) * ldx, ldx, min(M, m - t0),
                          y + static_cast<int64_t>(t0) * ldy, ldy, accumulate);
}

// y = W x with W's chunks as integers (w = a*q + b) and x's as d/256 * (256*hi + lo):
// sum w*x = a * d/256 * (256*dot(q, hi) + dot(q, lo)) + b * sum(x).
template <int TYPE, int M>
__device__ __forceinline__ void mat_vec_q8_rows(const uint8_t *__restrict__ w, uint64_t row_bytes, int64_t n_rows,
                                                int k, const uint8_t *__restrict__ xq, const float2 *__restrict__ xds,
                                                int m, float *__restrict__ y, int ldy, int accumulate) {
    const int64_t row0 = static_cast<int64_t>(blockIdx.x) * kRows;
    const int n_chunks = k / 16;
    float acc[kRows][M];
#pragma unroll
    for (int r = 0; r < kRows; ++r)
#pragma unroll
        for (int t = 0; t < M; ++t) acc[r][t] = 0.0f;

    start_rows(w, row_bytes, row0, n_rows);
    for (int c = threadIdx.x; c < n_chunks; c += kThreads) {
        uint32_t wq[kRows][4];
        float wa[kRows], wb[kRows];
#pragma unroll
        for (int r = 0; r < kRows; ++r) {
            if (row0 + r < n_rows) {
                IntQuant<TYPE>::chunk16(w + (row0 + r) * row_bytes, 16 * c, wq[r], wa[r], wb[r]);
            } else {
                wq[r][0] = wq[r][1] = wq[r][2] = wq[r][3] = 0u;
                wa[r] = wb[r] = 0.0f;
            }
        }
#pragma unroll
        for (int t = 0; t < M; ++t) {
            if (t < m) {
                const int64_t chunk = static_cast<int64_t>(t) * n_chunks + c;
                const uint4 *xp = reinterpret_cast<const uint4 *>(xq + 32 * chunk);
                const uint4 hi = __ldg(xp), lo = __ldg(xp + 1);
                const float2 ds = __ldg(xds + chunk);
#pragma unroll
                for (int r = 0; r < kRows; ++r) {
                    int dh = __dp4a(static_cast<int>(wq[r][0]), static_cast<int>(hi.x), 0);
                    dh = __dp4a(static_cast<int>(wq[r][1]), static_cast<int>(hi.y), dh);
                    dh = __dp4a(static_cast<int>(wq[r][2]), static_cast<int>(hi.z), dh);
                    dh = __dp4a(static_cast<int>(wq[r][3]), static_cast<int>(hi.w), dh);
                    int dl = __dp4a(static_cast<int>(wq[r][0]), static_cast<int>(lo.x), 0);
                    dl = __dp4a(static_cast<int>(wq[r][1]), static_cast<int>(lo.y), dl);
                    dl = __dp4a(static_cast<int>(wq[r][2]), static_cast<int>(lo.z), dl);
                    dl = __dp4a(static_cast<int>(wq[r][3]), static_cast<int>(lo.w), dl);
                    const float dot = static_cast<float>(256 * dh + dl) * ds.x;
                    acc[r][t] = fmaf(wa[r], dot, fmaf(wb[r], ds.y, acc[r][t]));
                }
            }
        }
    }
    store_rows<M>(acc, row0, n_rows, m, y, ldy, accumulate);
}

template <int TYPE, int M>
__global__ void __launch_bounds__(kThreads)
    mat_vec_q8_kernel(const uint8_t *__restrict__ w, uint64_t row_bytes, int64_t n_rows, int k,
                      const uint8_t *__restrict__ xq, const float2 *__restrict__ xds, int m, float *__restrict__ y,
                      int ldy, int accumulate) {
    mat_vec_q8_rows<TYPE, M>(w, row_bytes, n_rows, k, xq, xds, m, y, ldy, accumulate);
}

// Routed experts, one (token, slot) pair per grid row: y[p] = W_experts[p] x[p / share]. The expert
// index comes from the routing kernel before it, so the block waits for it before touching weights.
template <int TYPE>
__global__ void __launch_bounds__(kThreads)
    expert_mat_vec_kernel(const uint8_t *__restrict__ w, uint64_t row_bytes, uint64_t expert_bytes, int64_t n_rows,
                          int k, const float *__restrict__ x, int ldx, int share, const int32_t *__restrict__ experts,
                          float *__restrict__ y, int ldy) {
    wait_for_previous_kernel();
    const int p = blockIdx.y;
    mat_vec_rows<TYPE, 1>(w + static_cast<uint64_t>(experts[p]) * expert_bytes, row_bytes, n_rows, k,
                          x + static_cast<int64_t>(p / share) * ldx, ldx, 1, y + static_cast<int64_t>(p) * ldy, ldy, 0);
}

template <int TYPE>
__global__ void __launch_bounds__(kThreads)
    expert_mat_vec_q8_kernel(const uint8_t *__restrict__ w, uint64_t row_bytes, uint64_t expert_bytes, int64_t n_rows,
                             int k, const uint8_t *__restrict__ xq, const float2 *__restrict__ xds, int share,
                             const int32_t *__restrict__ experts, float *__restrict__ y, int ldy) {
    wait_for_previous_kernel();
    const int p = blockIdx.y;
    const int64_t chunk0 = static_cast<int64_t>(p / share) * (k / 16);
    mat_vec_q8_rows<TYPE, 1>(w + static_cast<uint64_t>(experts[p]) * expert_bytes, row_bytes, n_rows, k,
                             xq + 32 * chunk0, xds + chunk0, 1, y + static_cast<int64_t>(p) * ldy, ldy, 0);
}

__global__ void quantize_kernel(const float *__restrict__ x, int ldx, int n_chunks, uint8_t *__restrict__ q,
                                float2 *__restrict__ ds) {
    const int64_t t = blockIdx.y;
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= n_chunks) return;
    const float4 *xp = reinterpret_cast<const float4 *>(x + t * ldx + 16 * c);
    float v[16];
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        const float4 f = xp[i];
        v[4 * i] = f.x;
        v[4 * i + 1] = f.y;
        v[4 * i + 2] = f.z;
        v[4 * i + 3] = f.w;
    }
    const int64_t chunk = t * n_chunks + c;
    quantize_chunk16(v, q + 32 * chunk, ds + chunk);
}

template <int TYPE>
void launch_mat_vec(const DeviceMatrix &w, const float *x, int ldx, int m, float *y, int ldy, bool accumulate,
                    cudaStream_t stream) {
    const dim3 grid(ceil_div(w.rows, kRows));
    const int k = static_cast<int>(w.cols), acc = accumulate;
    if (m == 1) {
        launch_dependent(mat_vec_kernel<TYPE, 1>, grid, kThreads, stream, true, w.data, w.row_bytes, w.rows, k, x, ldx,
                         m, y, ldy, acc);
    } else if (m == 2) {
        launch_dependent(mat_vec_kernel<TYPE, 2>, grid, kThreads, stream, true, w.data, w.row_bytes, w.rows, k, x, ldx,
                         m, y, ldy, acc);
    } else if (m <= 4) {
        launch_dependent(mat_vec_kernel<TYPE, 4>, grid, kThreads, stream, true, w.data, w.row_bytes, w.rows, k, x, ldx,
                         m, y, ldy, acc);
    } else {
        launch_dependent(mat_vec_kernel<TYPE, 8>, dim3(grid.x, ceil_div(m, 8)), kThreads, stream, true, w.data,
                         w.row_bytes, w.rows, k, x, ldx, m, y, ldy, acc);
    }
}

template <int TYPE, int M>
void launch_q8_m(const DeviceMatrix &w, const Q8Activations &x, int m, float *y, int ldy, bool accumulate,
                 cudaStream_t stream) {
    launch_dependent(mat_vec_q8_kernel<TYPE, M>, dim3(ceil_div(w.rows, kRows)), dim3(kThreads), stream, true, w.data,
                     w.row_bytes, w.rows, static_cast<int>(w.cols), x.q, x.ds, m, y, ldy, static_cast<int>(accumulate));
}

template <int TYPE>
void launch_mat_vec_q8(const DeviceMatrix &w, const Q8Activations &x, int m, float *y, int ldy, bool accumulate,
                       cudaStream_t stream) {
    if constexpr (TYPE == LLCUDA_TYPE_F32 || TYPE == LLCUDA_TYPE_F16 || TYPE == LLCUDA_TYPE_BF16 ||
                  TYPE == LLCUDA_TYPE_NF4) {
        fail(LLCUDA_ERR_INTERNAL, "mat_vec_q8: weight type " + std::to_string(TYPE) + " has no integer form");
    } else if (m == 1) {
        launch_q8_m<TYPE, 1>(w, x, m, y, ldy, accumulate, stream);
    } else if (m == 2) {
        launch_q8_m<TYPE, 2>(w, x, m, y, ldy, accumulate, stream);
    } else if (m <= 4) {
        launch_q8_m<TYPE, 4>(w, x, m, y, ldy, accumulate, stream);
    } else {
        launch_q8_m<TYPE, 8>(w, x, m, y, ldy, accumulate, stream);
    }
}

template <int TYPE>
void launch_expert_mat_vec(const DeviceMatrix &w, uint64_t expert_bytes, const float *x, int ldx,
                           const Q8Activations *xq, int share, const int32_t *experts, int pairs, float *y, int ldy,
                           cudaStream_t stream) {
    const dim3 grid(ceil_div(w.rows, kRows), pairs);
    const int k = static_cast<int>(w.cols);
    if constexpr (TYPE == LLCUDA_TYPE_F32 || TYPE == LLCUDA_TYPE_F16 || TYPE == LLCUDA_TYPE_BF16 ||
                  TYPE == LLCUDA_TYPE_NF4) {
        launch_dependent(expert_mat_vec_kernel<TYPE>, grid, kThreads, stream, true, w.data, w.row_bytes, expert_bytes,
                         w.rows, k, x, ldx, share, experts, y, ldy);
    } else {
        if (xq != nullptr)
            launch_dependent(expert_mat_vec_q8_kernel<TYPE>, grid, kThreads, stream, true, w.data, w.row_bytes,
                             expert_bytes, w.rows, k, static_cast<const uint8_t *>(xq->q),
                             static_cast<const float2 *>(xq->ds), share, experts, y, ldy);
        else
            launch_dependent(expert_mat_vec_kernel<TYPE>, grid, kThreads, stream, true, w.data, w.row_bytes,
                             expert_bytes, w.rows, k, x, ldx, share, experts, y, ldy);
    }
}

}  // namespace

void expert_mat_vec(const DeviceMatrix &w, uint64_t expert_bytes, const float *x, int ldx, const Q8Activations *xq,
                    int share, const int32_t *experts, int pairs, float *y, int ldy, cudaStream_t stream) {
    require(pairs >= 1 && pairs <= 65535 && share >= 1,
            "expert_mat_vec: " + std::to_string(pairs) + " routed pairs (1..65535)");
    require(w.cols % 16 == 0 && ldx % 4 == 0 && (xq == nullptr || xq->k == w.cols),
            "expert_mat_vec: row length " + std::to_string(w.cols) +
                " is not a multiple of 16 or differs from the activations'");
    LLCUDA_DISPATCH_WEIGHT_TYPE(w.type, launch_expert_mat_vec, w, expert_bytes, x, ldx, xq, share, experts, pairs, y,
                                ldy, stream);
}

size_t q8_activation_bytes(int m, int k) {
    return static_cast<size_t>(m) * (k / 16) * (32 + sizeof(float2));
}

Q8Activations q8_activations(void *workspace, int m, int k) {
    require(k % 16 == 0, "q8 activations: row length " + std::to_string(k) + " is not a multiple of 16");
    Q8Activations a;
    a.q = static_cast<uint8_t *>(workspace);
    a.ds = reinterpret_cast<float2 *>(a.q + static_cast<size_t>(m) * (k / 16) * 32);
    a.k = k;
    return a;
}

void quantize_activations(const float *x, int ldx, int m, const Q8Activations &out, cudaStream_t stream) {
    if (m == 0) return;
    require(m <= 65535 && ldx % 4 == 0, "quantize_activations: " + std::to_string(m) + " rows of stride " +
                                            std::to_string(ldx) + " (at most 65535 rows, stride a multiple of 4)");
    const int n_chunks = out.k / 16;
    quantize_kernel<<<dim3(ceil_div(n_chunks, 128), m), 128, 0, stream>>>(x, ldx, n_chunks, out.q, out.ds);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

void mat_vec_q8(const DeviceMatrix &w, const Q8Activations &x, int m, float *y, int ldy, bool accumulate,
                cudaStream_t stream) {
    require(m >= 1 && m <= kMatVecMaxTokens,
            "mat_vec_q8: " + std::to_string(m) + " tokens, at most " + std::to_string(kMatVecMaxTokens));
    require(w.cols == x.k,
            "mat_vec_q8: row length " + std::to_string(w.cols) + " but activations of " + std::to_string(x.k));
    LLCUDA_DISPATCH_WEIGHT_TYPE(w.type, launch_mat_vec_q8, w, x, m, y, ldy, accumulate, stream);
}

void mat_vec(const DeviceMatrix &w, const float *x, int ldx, int m, float *y, int ldy, bool accumulate,
             cudaStream_t stream) {
    require(m >= 1 && m <= 65535 * kMatVecMaxTokens,
            "mat_vec: " + std::to_string(m) + " tokens, at most " + std::to_string(65535 * kMatVecMaxTokens));
    require(w.cols % 16 == 0 && ldx % 4 == 0,
            "mat_vec: row length " + std::to_string(w.cols) + " is not a multiple of 16");
    LLCUDA_DISPATCH_WEIGHT_TYPE(w.type, launch_mat_vec, w, x, ldx, m, y, ldy, accumulate, stream);
}

}  // namespace llcuda::cuda
