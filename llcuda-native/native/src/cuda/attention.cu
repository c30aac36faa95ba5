// Causal attention over the paged KV cache, for prompt chunks and decode tokens alike, as a flash
// attention: one block per (tile, KV head) walks the keys in tiles of 32, copies each K/V tile
// (FP16) from its cache blocks into shared memory once for every query row of the tile, and keeps
// an online softmax per row, so no score matrix is ever stored. The query rows of a block are the
// tile's tokens times the query heads of one KV head (GQA), so one K/V read serves all of them.
// Shared memory is at most 33 KB (head_dim 128), within the T4's 48 KB per block.
#include <cmath>

#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 128;
constexpr int kWarps = kThreads / kWarpSize;
constexpr int kKeys = 32;  // keys per tile: one per lane when scoring
constexpr int kRowsPerWarp = kAttnRows / kWarps;

template <int D>
__global__ void __launch_bounds__(kThreads)
attention_kernel(const AttnTile *__restrict__ tiles, const float *__restrict__ q,
                 const int32_t *__restrict__ block_tables, int block_size,
                 const __half2 *__restrict__ k_cache, const __half2 *__restrict__ v_cache,
                 int n_head, int n_head_kv, float scale, float *__restrict__ out) {
    constexpr int W = D / 2;       // half2 words per head row
    constexpr int C = D / 64;      // half2 words per lane in the output
    const AttnTile tile = tiles[blockIdx.x];
    if (tile.n_tokens == 0) return;
    const int kvh = blockIdx.y;
    const int group = n_head / n_head_kv;
    const int n_rows = tile.n_tokens * group;
    const int q_dim = n_head * D, kv_words = n_head_kv * W;

    __shared__ float qs[kAttnRows][D];
    __shared__ __half2 ks[kKeys][W + 1];
    __shared__ __half2 vs[kKeys][W];

    for (int i = threadIdx.x; i < n_rows * D; i += kThreads) {
        const int r = i / D, d = i % D;
        const int token = tile.first_token + r / group, head = kvh * group + r % group;
        qs[r][d] = q[static_cast<int64_t>(token) * q_dim + head * D + d] * scale;
    }

    const int warp = threadIdx.x / kWarpSize, lane = threadIdx.x % kWarpSize;
    float m[kRowsPerWarp], l[kRowsPerWarp];
    float2 acc[kRowsPerWarp][C];
#pragma unroll
    for (int i = 0; i < kRowsPerWarp; ++i) {
        m[i] = -INFINITY;
        l[i] = 0.0f;
#pragma unroll
        for (int c = 0; c < C; ++c) acc[i][c] = make_float2(0.0f, 0.0f);
    }

    const int n_keys = tile.start_pos + tile.n_tokens;
    const int32_t *table = block_tables + tile.table_offset;
    for (int k0 = 0; k0 < n_keys; k0 += kKeys) {
        __syncthreads();  // previous tile fully consumed (and, first time, qs written)
        for (int i = threadIdx.x; i < kKeys * W; i += kThreads) {
            const int j = i / W, w = i % W;
            const int pos = k0 + j;
            __half2 kv = __floats2half2_rn(0.0f, 0.0f), vv = kv;
            if (pos < n_keys) {
                const int64_t row = static_cast<int64_t>(table[pos / block_size]) * block_size + pos % block_size;
                const int64_t at = row * kv_words + kvh * W + w;
                kv = k_cache[at];
                vv = v_cache[at];
            }
            ks[j][w] = kv;
            vs[j][w] = vv;
        }
        __syncthreads();
#pragma unroll
        for (int i = 0; i < kRowsPerWarp; ++i) {
            const int r = warp + kWarps * i;
            if (r >= n_rows) continue;
            const int row_pos = tile.start_pos + r / group;
            if (k0 > row_pos) continue;
            float s = 0.0f;
#pragma unroll 8
            for (int w = 0; w < W; ++w) {
                const float2 kf = __half22float2(ks[lane][w]);
                s = fmaf(qs[r][2 * w], kf.x, s);
                s = fmaf(qs[r][2 * w + 1], kf.y, s);
            }
            if (k0 + lane > row_pos) s = -INFINITY;
            const float m_new = fmaxf(m[i], warp_max(s));
            const float p = expf(s - m_new);
            const float corr = expf(m[i] - m_new);
            l[i] = l[i] * corr + warp_sum(p);
#pragma unroll
            for (int c = 0; c < C; ++c) { acc[i][c].x *= corr; acc[i][c].y *= corr; }
#pragma unroll 8
            for (int j = 0; j < kKeys; ++j) {
                const float pj = __shfl_sync(0xffffffffu, p, j);
#pragma unroll
                for (int c = 0; c < C; ++c) {
                    const float2 vf = __half22float2(vs[j][lane + 32 * c]);
                    acc[i][c].x = fmaf(pj, vf.x, acc[i][c].x);
                    acc[i][c].y = fmaf(pj, vf.y, acc[i][c].y);
                }
            }
            m[i] = m_new;
        }
    }

#pragma unroll
    for (int i = 0; i < kRowsPerWarp; ++i) {
        const int r = warp + kWarps * i;
        if (r >= n_rows) continue;
        const int token = tile.first_token + r / group, head = kvh * group + r % group;
        float *o = out + static_cast<int64_t>(token) * q_dim + head * D;
        const float inv = 1.0f / l[i];
#pragma unroll
        for (int c = 0; c < C; ++c)
            *reinterpret_cast<float2 *>(o + 2 * (lane + 32 * c)) = make_float2(acc[i][c].x * inv, acc[i][c].y * inv);
    }
}

}  // namespace

int attention_tile_tokens(int n_head, int n_head_kv) {
    const int group = n_head / n_head_kv;
    return group >= kAttnRows ? 1 : kAttnRows / group;
}

void attention(const AttnTile *tiles, int n_tiles, const float *q, const int32_t *block_tables,
               int block_size, const __half *k_cache, const __half *v_cache, int n_head,
               int n_head_kv, int head_dim, float *out, cudaStream_t stream) {
    require(n_head_kv > 0 && n_head % n_head_kv == 0 && n_head / n_head_kv <= kAttnRows,
            "attention: " + std::to_string(n_head) + " heads over " + std::to_string(n_head_kv) +
                " KV heads is not a supported grouping (at most " + std::to_string(kAttnRows) + ")");
    if (n_tiles == 0) return;
    const dim3 grid(n_tiles, n_head_kv);
    const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
    const auto *kc = reinterpret_cast<const __half2 *>(k_cache);
    const auto *vc = reinterpret_cast<const __half2 *>(v_cache);
    if (head_dim == 64) {
        attention_kernel<64><<<grid, kThreads, 0, stream>>>(tiles, q, block_tables, block_size, kc, vc, n_head, n_head_kv, scale, out);
    } else if (head_dim == 128) {
        attention_kernel<128><<<grid, kThreads, 0, stream>>>(tiles, q, block_tables, block_size, kc, vc, n_head, n_head_kv, scale, out);
    } else {
        fail(LLCUDA_ERR_UNSUPPORTED, "attention: head_dim " + std::to_string(head_dim) +
                                         " unsupported on CUDA (64 or 128)");
    }
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace llcuda::cuda
