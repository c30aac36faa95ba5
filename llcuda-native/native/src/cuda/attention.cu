// Causal attention over the paged KV cache, for prompt chunks and decode tokens alike, as a flash
// attention: one block per (tile, KV head) walks the keys in tiles of 32, copies each K/V tile
// (FP16) from its cache blocks into shared memory once for every query row of the tile, and keeps
// an online softmax per row, so no score matrix is ever stored. The query rows of a block are the
// tile's tokens times the query heads of one KV head (GQA), so one K/V read serves all of them.
// Shared memory stays within the 48 KB every architecture gives a block (attention_rows: 32 query
// rows, 8 for head size 256). Head sizes that are not a multiple of 64 leave some lanes without
// an output word in the last column; everything else is the same for every head size. Given 8-bit
// output blocks, whichever kernel writes a row's output also writes its blocks. A Q8_0 cache's
// rows are widened to FP16 as they enter shared memory; the rest is the same for both types.
// Scores may be soft-capped, and a sliding window hides keys more than `window - 1` positions
// before the query: blocks start at the first key tile any of their rows sees, and rows skip
// the tiles wholly before their own window. Encoders give each tile its key count instead: every
// row then sees all of its input's keys. Both kernels are part of the decode chain that overlaps on
// sm_90 (dependent-launch.cuh).
#include <algorithm>
#include <cmath>

#include "dependent-launch.cuh"
#include "kernels.cuh"
#include "q8-activations.cuh"

namespace llcuda::cuda {
namespace {

constexpr int kThreads = 128;
constexpr int kWarps = kThreads / kWarpSize;
constexpr int kKeys = kAttnKeys;

// Where the K/V rows of a key tile come from, in 16-byte words of one head's row, and how a word
// lands in the FP16 shared-memory tiles: the KV cache's storage types (KvLayer).
template <int D>
struct F16Rows {
    static constexpr int kWordsPerRow = D / 8;  // 8 values per word
    struct Word {
        uint4 k, v;
    };
    const uint4 *k, *v;
    int row_words;  // words per cache row (all KV heads)
    __device__ Word load(int64_t row, int kvh, int c) const {
        const int64_t at = row * row_words + kvh * kWordsPerRow + c;
        return {k[at], v[at]};
    }
    __device__ static Word zero() { return {make_uint4(0u, 0u, 0u, 0u), make_uint4(0u, 0u, 0u, 0u)}; }
    // ks_row and vs_row are the key's rows of half2 words; word c holds values 8c..8c+7.
    __device__ static void store(const Word &w, __half2 *ks_row, __half2 *vs_row, int c) {
        const __half2 *kh = reinterpret_cast<const __half2 *>(&w.k);
#pragma unroll
        for (int i = 0; i < 4; ++i) ks_row[4 * c + i] = kh[i];
        *reinterpret_cast<uint4 *>(vs_row + 4 * c) = w.v;
    }
};

template <int D>
struct Q8Rows {
    static constexpr int kWordsPerRow = D / 16;  // 16 int8 values per word, within one scale block
    struct Word {
        uint4 k, v;
        __half k_scale, v_scale;
    };
    const uint4 *k, *v;
    const __half *k_scale, *v_scale;
    int row_words, row_scales;  // per cache row (all KV heads)
    __device__ Word load(int64_t row, int kvh, int c) const {
        const int64_t at = row * row_words + kvh * kWordsPerRow + c;
        const int64_t sc = row * row_scales + (kvh * D + 16 * c) / 32;
        return {k[at], v[at], k_scale[sc], v_scale[sc]};
    }
    __device__ static Word zero() {
        return {make_uint4(0u, 0u, 0u, 0u), make_uint4(0u, 0u, 0u, 0u), __float2half_rn(0.0f), __float2half_rn(0.0f)};
    }
    __device__ static void store(const Word &w, __half2 *ks_row, __half2 *vs_row, int c) {
        const int8_t *kq = reinterpret_cast<const int8_t *>(&w.k), *vq = reinterpret_cast<const int8_t *>(&w.v);
        const float kd = __half2float(w.k_scale), vd = __half2float(w.v_scale);
#pragma unroll
        for (int i = 0; i < 8; ++i) {
            ks_row[8 * c + i] = __floats2half2_rn(kd * kq[2 * i], kd * kq[2 * i + 1]);
            vs_row[8 * c + i] = __floats2half2_rn(vd * vq[2 * i], vd * vq[2 * i + 1]);
        }
    }
};

// The first key tile any row of `tile` sees: its first token's window start (0 without a window).
__device__ __forceinline__ int first_key_tile(const AttnTile &tile, int window) {
    return window > 0 ? max(0, tile.start_pos - window + 1) / kKeys : 0;
}

// The keys of tile i: up to its last token's position (causal), or tile_keys[i] (encoders).
__device__ __forceinline__ int key_count(const AttnTile &tile, const int32_t *tile_keys, int i) {
    return tile_keys ? tile_keys[i] : tile.start_pos + tile.n_tokens;
}

template <int D, class Rows>
__global__ void __launch_bounds__(kThreads)
    attention_kernel(const AttnTile *__restrict__ tiles, const float *__restrict__ q, int ldq,
                     const int32_t *__restrict__ block_tables, int block_size, const Rows rows, int n_head,
                     int n_head_kv, float scale, float softcap, int window, const int32_t *__restrict__ tile_keys,
                     float *__restrict__ out, float *__restrict__ partial, uint8_t *__restrict__ out_q,
                     float2 *__restrict__ out_ds) {
    constexpr int W = D / 2;                            // half2 words per head row
    constexpr int C = (W + kWarpSize - 1) / kWarpSize;  // half2 words per lane in the output
    constexpr int R = attention_rows(D);
    constexpr int kRowsPerWarp = R / kWarps;
    static_assert(attention_shared_bytes(R, D) <= kMaxStaticSharedBytes, "attention tiles exceed static shared memory");
    // Output word c of a lane: lane + 32c, present in the last column only for lanes below W % 32.
    auto has_word = [](int c) { return W % kWarpSize == 0 || c < C - 1 || threadIdx.x % kWarpSize < W % kWarpSize; };
    allow_next_kernel();
    wait_for_previous_kernel();
    const AttnTile tile = tiles[blockIdx.x];
    if (tile.n_tokens == 0) return;
    const int kvh = blockIdx.y;
    const int group = n_head / n_head_kv;
    const int n_rows = tile.n_tokens * group;
    const int q_dim = n_head * D;

    __shared__ float qs[R][D];
    __shared__ __half2 ks[kKeys][W + 1];
    __shared__ __align__(16) __half2 vs[kKeys][W];

    for (int i = threadIdx.x; i < n_rows * D; i += kThreads) {
        const int r = i / D, d = i % D;
        const int token = tile.first_token + r / group, head = kvh * group + r % group;
        qs[r][d] = q[static_cast<int64_t>(token) * ldq + head * D + d] * scale;
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

    const int n_keys = key_count(tile, tile_keys, blockIdx.x);
    const int32_t *table = block_tables + tile.table_offset;
    // With several splits (blockIdx.z), split z takes key tiles z, z + splits, ... so any context
    // length divides among them without the host knowing it (decode graphs replay unchanged).
    const int splits = gridDim.z;
    // K/V tiles move in 16-byte words, every thread's words of the next tile loaded into registers
    // while the current one is scored (keys past the context are zeros: masked, and 0 * V stays 0).
    constexpr int V4 = Rows::kWordsPerRow;
    constexpr int kWords = kKeys * V4;                          // per tile, K and V each
    constexpr int kLoads = (kWords + kThreads - 1) / kThreads;  // per thread
    auto in_tile = [](int u) { return kWords % kThreads == 0 || threadIdx.x + u * kThreads < kWords; };
    typename Rows::Word next[kLoads];
    // Keys before every row's window are never read: the engine returns their cache blocks to the
    // pool, and another sequence's values there (0 * NaN) must not reach this one.
    const int first_key = window > 0 ? max(0, tile.start_pos - window + 1) : 0;
    auto load_tile = [&](int k0) {
#pragma unroll
        for (int u = 0; u < kLoads; ++u) {
            const int idx = threadIdx.x + u * kThreads, j = idx / V4, c = idx % V4;
            const int pos = k0 + j;
            next[u] = Rows::zero();
            if (in_tile(u) && pos < n_keys && pos >= first_key) {
                const int64_t row = static_cast<int64_t>(table[pos / block_size]) * block_size + pos % block_size;
                next[u] = rows.load(row, kvh, c);
            }
        }
    };
    int k0 = (first_key_tile(tile, window) + blockIdx.z) * kKeys;
    if (k0 < n_keys) load_tile(k0);
    for (; k0 < n_keys; k0 += splits * kKeys) {
        __syncthreads();  // previous tile fully consumed (and, first time, qs written)
#pragma unroll
        for (int u = 0; u < kLoads; ++u) {
            const int idx = threadIdx.x + u * kThreads, j = idx / V4, c = idx % V4;
            if (in_tile(u)) Rows::store(next[u], ks[j], vs[j], c);
        }
        __syncthreads();
        if (k0 + splits * kKeys < n_keys) load_tile(k0 + splits * kKeys);
#pragma unroll
        for (int i = 0; i < kRowsPerWarp; ++i) {
            const int r = warp + kWarps * i;
            if (r >= n_rows) continue;
            // The last and first key the row sees.
            const int row_pos = tile_keys ? n_keys - 1 : tile.start_pos + r / group;
            const int row_first = window > 0 ? row_pos - window + 1 : 0;
            if (k0 > row_pos || k0 + kKeys <= row_first) continue;
            float s = 0.0f;
#pragma unroll 8
            for (int w = 0; w < W; ++w) {
                const float2 kf = __half22float2(ks[lane][w]);
                s = fmaf(qs[r][2 * w], kf.x, s);
                s = fmaf(qs[r][2 * w + 1], kf.y, s);
            }
            if (softcap > 0.0f) s = softcap * tanhf(s / softcap);
            if (k0 + lane > row_pos || k0 + lane < row_first) s = -INFINITY;
            const float m_new = fmaxf(m[i], warp_max(s));
            const float p = expf(s - m_new);
            const float corr = expf(m[i] - m_new);
            l[i] = l[i] * corr + warp_sum(p);
#pragma unroll
            for (int c = 0; c < C; ++c) {
                acc[i][c].x *= corr;
                acc[i][c].y *= corr;
            }
#pragma unroll 8
            for (int j = 0; j < kKeys; ++j) {
                const float pj = __shfl_sync(0xffffffffu, p, j);
#pragma unroll
                for (int c = 0; c < C; ++c) {
                    if (!has_word(c)) continue;
                    const float2 vf = __half22float2(vs[j][lane + 32 * c]);
                    acc[i][c].x = fmaf(pj, vf.x, acc[i][c].x);
                    acc[i][c].y = fmaf(pj, vf.y, acc[i][c].y);
                }
            }
            m[i] = m_new;
        }
    }

    __syncwarp();  // every lane is past its reads of the warp's qs rows, which now hold the output
#pragma unroll
    for (int i = 0; i < kRowsPerWarp; ++i) {
        const int r = warp + kWarps * i;
        if (r >= n_rows) continue;
        if (splits > 1) {  // unnormalised partial state: m, l, acc[D] per row
            float *p = partial +
                       ((static_cast<int64_t>(blockIdx.x) * gridDim.y + kvh) * splits + blockIdx.z) * (R * (D + 2)) +
                       r * (D + 2);
            if (lane == 0) {
                p[0] = m[i];
                p[1] = l[i];
            }
#pragma unroll
            for (int c = 0; c < C; ++c)
                if (has_word(c)) *reinterpret_cast<float2 *>(p + 2 + 2 * (lane + 32 * c)) = acc[i][c];
            continue;
        }
        const int token = tile.first_token + r / group, head = kvh * group + r % group;
        float *o = out + static_cast<int64_t>(token) * q_dim + head * D;
        const float inv = 1.0f / l[i];
#pragma unroll
        for (int c = 0; c < C; ++c) {
            if (!has_word(c)) continue;
            const float2 v = make_float2(acc[i][c].x * inv, acc[i][c].y * inv);
            *reinterpret_cast<float2 *>(o + 2 * (lane + 32 * c)) = v;
            *reinterpret_cast<float2 *>(&qs[r][2 * (lane + 32 * c)]) = v;  // only this warp reads row r
        }
        if (out_q == nullptr) continue;
        __syncwarp();
        quantize_row_by_warp<D>(qs[r], out_q, out_ds, (static_cast<int64_t>(token) * q_dim + head * D) / 16);
    }
}

// Merges the splits' partial softmax states (flash-decoding): one warp per query row. Lane z
// reads split z's (max, sum), so the weights of all splits take one round trip; then every lane
// sums the splits' accumulators for its dimensions. Only splits that received key tiles are read
// (split z takes tiles first + z, first + z + splits, ...). With `q`, the row is also written in
// 8-bit blocks for the output projection (q8-activations.cuh).
template <int D>
__global__ void __launch_bounds__(kThreads)
    combine_kernel(const AttnTile *__restrict__ tiles, const float *__restrict__ partial, int n_head, int splits,
                   int window, const int32_t *__restrict__ tile_keys, float *__restrict__ out, uint8_t *__restrict__ q,
                   float2 *__restrict__ ds) {
    static_assert(kAttnMaxSplits <= kWarpSize, "one lane per split");
    constexpr int C = (D + kWarpSize - 1) / kWarpSize;  // dimensions per lane (lane + 32c < D)
    allow_next_kernel();
    wait_for_previous_kernel();
    const AttnTile tile = tiles[blockIdx.x];
    if (tile.n_tokens == 0) return;
    const int kvh = blockIdx.y, n_kv = gridDim.y, group = n_head / n_kv;
    const int n_rows = tile.n_tokens * group;
    const int n_keys = key_count(tile, tile_keys, blockIdx.x);
    const int used = min(splits, (n_keys + kKeys - 1) / kKeys - first_key_tile(tile, window));
    constexpr int kRowStride = D + 2, kSplitStride = attention_rows(D) * kRowStride;
    auto has_dim = [&](int c) { return D % kWarpSize == 0 || c < C - 1 || threadIdx.x % kWarpSize < D % kWarpSize; };
    const float *base = partial + (static_cast<int64_t>(blockIdx.x) * n_kv + kvh) * splits * kSplitStride;
    const int warp = threadIdx.x / kWarpSize, lane = threadIdx.x % kWarpSize;
    __shared__ float row_out[kWarps][D];
    for (int r = warp; r < n_rows; r += kWarps) {
        const float *row = base + r * kRowStride;
        const float m = lane < used ? row[lane * kSplitStride] : -INFINITY;
        const float l = lane < used ? row[lane * kSplitStride + 1] : 0.0f;
        const float mx = warp_max(m);  // finite: the split holding the row's own key saw it
        const float f = m == -INFINITY ? 0.0f : expf(m - mx);
        const float inv = 1.0f / warp_sum(l * f);
        float acc[C];
#pragma unroll
        for (int c = 0; c < C; ++c) acc[c] = 0.0f;
#pragma unroll 4
        for (int z = 0; z < used; ++z) {
            const float fz = __shfl_sync(0xffffffffu, f, z);
            const float *p = row + z * kSplitStride + 2;
#pragma unroll
            for (int c = 0; c < C; ++c)
                if (has_dim(c)) acc[c] = fmaf(fz, p[lane + kWarpSize * c], acc[c]);
        }
        const int token = tile.first_token + r / group, head = kvh * group + r % group;
        float *o = out + static_cast<int64_t>(token) * n_head * D + head * D;
#pragma unroll
        for (int c = 0; c < C; ++c) {
            if (!has_dim(c)) continue;
            o[lane + kWarpSize * c] = acc[c] * inv;
            row_out[warp][lane + kWarpSize * c] = acc[c] * inv;
        }
        if (q == nullptr) continue;
        __syncwarp();
        quantize_row_by_warp<D>(row_out[warp], q, ds, (static_cast<int64_t>(token) * n_head * D + head * D) / 16);
        __syncwarp();
    }
}

}  // namespace

bool attention_supports_head_dim(int head_dim) {
    return std::find(std::begin(kAttnHeadSizes), std::end(kAttnHeadSizes), head_dim) != std::end(kAttnHeadSizes);
}

int attention_tile_tokens(int n_head, int n_head_kv, int head_dim) {
    const int group = n_head / n_head_kv, rows = attention_rows(head_dim);
    return group >= rows ? 1 : rows / group;
}

int attention_splits(int n_tiles, int n_head_kv, int sm_count) {
    const int blocks = n_tiles * n_head_kv;
    const int target = 2 * sm_count;
    if (blocks >= target) return 1;
    return std::min(kAttnMaxSplits, (target + blocks - 1) / blocks);
}

size_t attention_workspace_floats(int sm_count, int head_dim) {
    // splits > 1 only while tiles * kv_heads < 2 * SMs, so tiles * kv_heads * splits < 4 * SMs.
    return static_cast<size_t>(4) * sm_count * attention_rows(head_dim) * (head_dim + 2);
}

namespace {

// Launches the attention kernel (and, with several splits, the merge) for head size D.
template <int D, class Rows>
void launch_attention(const AttnTile *tiles, int n_tiles, const float *q, int ldq, const int32_t *block_tables,
                      int block_size, const Rows &rows, int n_head, int n_head_kv, int splits, float *workspace,
                      float *out, cudaStream_t stream, const Q8Activations *outq, const AttnScores &scores) {
    const float scale = scores.scale > 0.0f ? scores.scale : 1.0f / std::sqrt(static_cast<float>(D));
    uint8_t *q8 = outq ? outq->q : nullptr;
    float2 *q8ds = outq ? outq->ds : nullptr;
    const bool overlap = n_tiles <= kDecodeOverlapTokens;
    launch_dependent(attention_kernel<D, Rows>, dim3(n_tiles, n_head_kv, splits), dim3(kThreads), stream, overlap,
                     tiles, q, ldq, block_tables, block_size, rows, n_head, n_head_kv, scale, scores.softcap,
                     scores.window, scores.keys, out, workspace, q8, q8ds);
    if (splits > 1) {
        launch_dependent(combine_kernel<D>, dim3(n_tiles, n_head_kv), dim3(kThreads), stream, overlap, tiles,
                         static_cast<const float *>(workspace), n_head, splits, scores.window, scores.keys, out, q8,
                         q8ds);
    }
}

template <int D>
void launch_for_cache(const AttnTile *tiles, int n_tiles, const float *q, int ldq, const int32_t *block_tables,
                      int block_size, const KvLayer &cache, int n_head, int n_head_kv, int splits, float *workspace,
                      float *out, cudaStream_t stream, const Q8Activations *outq, const AttnScores &scores) {
    const int kv_dim = n_head_kv * D;
    if (cache.type == LLCUDA_TYPE_F16) {
        const F16Rows<D> rows{static_cast<const uint4 *>(cache.k), static_cast<const uint4 *>(cache.v), kv_dim / 8};
        launch_attention<D>(tiles, n_tiles, q, ldq, block_tables, block_size, rows, n_head, n_head_kv, splits,
                            workspace, out, stream, outq, scores);
    } else if (cache.type == LLCUDA_TYPE_Q8_0) {
        const Q8Rows<D> rows{static_cast<const uint4 *>(cache.k),
                             static_cast<const uint4 *>(cache.v),
                             cache.k_scale,
                             cache.v_scale,
                             kv_dim / 16,
                             kv_dim / 32};
        launch_attention<D>(tiles, n_tiles, q, ldq, block_tables, block_size, rows, n_head, n_head_kv, splits,
                            workspace, out, stream, outq, scores);
    } else {
        fail(LLCUDA_ERR_UNSUPPORTED, "attention: KV cache type " + std::to_string(cache.type) + " (F16 or Q8_0)");
    }
}

}  // namespace

void attention(const AttnTile *tiles, int n_tiles, const float *q, int ldq, const int32_t *block_tables, int block_size,
               const KvLayer &cache, int n_head, int n_head_kv, int head_dim, int splits, float *workspace, float *out,
               cudaStream_t stream, const Q8Activations *outq, const AttnScores &scores) {
    require(scores.scale >= 0.0f && scores.softcap >= 0.0f && scores.window >= 0,
            "attention: scale, softcap and window must not be negative");
    require(scores.keys == nullptr || scores.window == 0, "attention: a window needs causal attention (no key counts)");
    require(n_head_kv > 0 && n_head % n_head_kv == 0 && n_head / n_head_kv <= attention_rows(head_dim),
            "attention: " + std::to_string(n_head) + " heads over " + std::to_string(n_head_kv) +
                " KV heads is not a supported grouping (at most " + std::to_string(attention_rows(head_dim)) +
                " at head_dim " + std::to_string(head_dim) + ")");
    require(splits >= 1 && splits <= kAttnMaxSplits && (splits == 1 || workspace),
            "attention: " + std::to_string(splits) + " splits");
    require(!outq || outq->k == n_head * head_dim, "attention: 8-bit output rows of " +
                                                       std::to_string(outq ? outq->k : 0) + " elements for rows of " +
                                                       std::to_string(n_head * head_dim));
    if (n_tiles == 0) return;
    switch (head_dim) {
#define LLCUDA_ATTENTION_CASE(D)                                                                                \
    case D:                                                                                                     \
        launch_for_cache<D>(tiles, n_tiles, q, ldq, block_tables, block_size, cache, n_head, n_head_kv, splits, \
                            workspace, out, stream, outq, scores);                                              \
        return;
        LLCUDA_ATTENTION_CASE(32)
        LLCUDA_ATTENTION_CASE(64)
        LLCUDA_ATTENTION_CASE(80)
        LLCUDA_ATTENTION_CASE(96)
        LLCUDA_ATTENTION_CASE(112)
        LLCUDA_ATTENTION_CASE(128)
        LLCUDA_ATTENTION_CASE(256)
#undef LLCUDA_ATTENTION_CASE
        default:
            fail(LLCUDA_ERR_UNSUPPORTED, "attention: head_dim " + std::to_string(head_dim) + " unsupported on CUDA");
    }
}

}  // namespace llcuda::cuda
