// Host-side launchers of every kernel family (one .cu file each). All pointers are device
// pointers; every launcher enqueues on `stream` and checks the launch.
#pragma once

#include "common.cuh"
#include "rope_frequencies.h"

namespace llcuda::cuda {

// A weight matrix in device memory: `rows` output rows of `cols` input elements each, stored as
// the GGUF file stores them (ne[0] = cols contiguous, whole blocks per row).
struct DeviceMatrix {
    int32_t type = -1;
    int64_t rows = 0;
    int64_t cols = 0;
    uint64_t row_bytes = 0;
    const uint8_t *data = nullptr;
    const uint8_t *row(int64_t r) const { return data + r * row_bytes; }
};

// ---- mat-vec.cu: decode products, weights read once for up to kMatVecMaxTokens tokens.
constexpr int kMatVecMaxTokens = 8;
// y[t*ldy + n] (+)= sum_k W[n][k] * x[t*ldx + k] for t < m; more than kMatVecMaxTokens tokens
// (F32 weights' prompts) read the weights once per kMatVecMaxTokens, in one launch.
void mat_vec(const DeviceMatrix &w, const float *x, int ldx, int m, float *y, int ldy, bool accumulate,
             cudaStream_t stream);

// Token rows of k elements (k a multiple of 16) as 8-bit blocks (q8-activations.cuh): chunk c
// of token t is 32 bytes at q + 32*(t*k/16 + c) and its (d/256, sum) at ds[t*k/16 + c].
struct Q8Activations {
    uint8_t *q = nullptr;
    float2 *ds = nullptr;
    int k = 0;
};
size_t q8_activation_bytes(int m, int k);
// Views `workspace` (16-byte aligned, q8_activation_bytes(m, k) bytes) as m token rows of k.
Q8Activations q8_activations(void *workspace, int m, int k);
// The same product for the quantized types on activations in 8-bit blocks (integer dot products).
void mat_vec_q8(const DeviceMatrix &w, const Q8Activations &x, int m, float *y, int ldy, bool accumulate,
                cudaStream_t stream);
// Quantizes m token rows of x (row stride ldx) into `out`; producers that can (RMSNorm, SwiGLU)
// do it themselves while writing their output.
void quantize_activations(const float *x, int ldx, int m, const Q8Activations &out, cudaStream_t stream);

// ---- mat-mul.cu: tensor-core products for prompt chunks and large batches (FP16 operands,
// FP32 accumulation); weight tiles are dequantized into shared memory, never into global memory.
// sm_count: the device's SMs, which decide how far K is split for grids too small to fill them.
// x16: where the activations go in FP16 first (at least m x w.cols halves, 16-byte aligned).
// F32 weights never take this path (mat_mul keeps them in FP32) and are refused.
struct HalfScratch {
    __half *p = nullptr;
    size_t halves = 0;
};
void mat_mul_tensor_cores(const DeviceMatrix &w, const float *x, int ldx, int m, float *y, int ldy, bool accumulate,
                          int sm_count, const HalfScratch &x16, cudaStream_t stream);

// ---- mat-mul.cu, mat-vec.cu: the products of routed experts (mixture of experts). A stacked expert
// matrix is `w` (one expert's rows, data at expert 0) with expert e at w.data + e * expert_bytes.
// Grouped products: the routed rows sorted expert by expert into tiles of kExpertTileRows at most,
// each tile's rows [first, end) of one expert; tiles with expert -1 are unused (the grid is sized for
// the most tiles a batch can make, so the host never waits for the routing).
constexpr int kExpertTileRows = 64;
struct ExpertTile {
    int32_t expert, first, end;
};
// y[r] = W_tile(r) x[from[r] / share] for the m sorted rows (from == nullptr: x[r]), on the tensor
// cores (x16: at least m x w.cols halves). F32 experts are refused (they take expert_mat_vec).
void mat_mul_experts(const DeviceMatrix &w, uint64_t expert_bytes, const float *x, int ldx, const int32_t *from,
                     int share, int m, const ExpertTile *tiles, int n_tiles, float *y, int ldy, int sm_count,
                     const HalfScratch &x16, cudaStream_t stream);
// Decode: y[p] = W_experts[p] x[p / share] for each of `pairs` (token, slot) pairs, reading only the
// routed experts' rows; xq (token rows in 8-bit blocks, or nullptr) is taken by the quantized types.
void expert_mat_vec(const DeviceMatrix &w, uint64_t expert_bytes, const float *x, int ldx, const Q8Activations *xq,
                    int share, const int32_t *experts, int pairs, float *y, int ldy, cudaStream_t stream);

// ---- mat-select.cu: which of the products a (type, tokens) pair uses, and running it.
bool use_tensor_cores(int32_t type, int m);
// Quantized weight types with at most kMatVecMaxTokens tokens take 8-bit activations when given.
bool uses_q8_activations(int32_t type, int m);
// xq: the same activations in 8-bit blocks, or nullptr (then every type takes the float path).
// sm_count and x16: for the tensor-core path.
void mat_mul(const DeviceMatrix &w, const float *x, int ldx, int m, float *y, int ldy, bool accumulate, int sm_count,
             const HalfScratch &x16, cudaStream_t stream, const Q8Activations *xq = nullptr);

// ---- embedding.cu: out[t*n_embd + k] = dequantized row tokens[t] of the embedding table, times
// `scale` (gemma: sqrt(n_embd)).
void embed_tokens(const DeviceMatrix &table, const int32_t *tokens, int n_tokens, float *out, cudaStream_t stream,
                  float scale = 1.0f);

// ---- rms-norm.cu: y[i] = x[rows[i]] / rms(x[rows[i]]) * w; rows == nullptr means row i.
// xq: when not nullptr, y is also written there in 8-bit blocks (n a multiple of 16).
void rms_norm(const float *x, const int32_t *rows, int n_rows, int n, const float *w, float eps, float *y,
              cudaStream_t stream, const Q8Activations *xq = nullptr);
// y[i] += x[i] / rms(x[i]) * w for n_rows rows of n (gemma's norm of a block's output before the
// residual add).
void rms_norm_add(const float *x, int n_rows, int n, const float *w, float eps, float *y, cudaStream_t stream);
// Each of n_heads head vectors of head_dim (at x + t*ld + h*head_dim) normalised in place with the
// shared weight w (qwen3 and gemma3's q/k norms); head_dim a multiple of 32, at most 32 * 16.
void head_rms_norm(float *x, int ld, int n_tokens, int n_heads, int head_dim, const float *w, float eps,
                   cudaStream_t stream);

// ---- rope.cu: biases, RoPE on Q and K, K and V stored into the paged cache (FP16).
constexpr int kMaxRopePairs = 128;  // rope_dim <= head_dim <= 256
struct RopeConfig {
    int n_head = 0, n_head_kv = 0, head_dim = 0;
    int rope_dim = 0;
    bool neox = false;
    double mscale = 1.0;              // factor of cos and sin
    double freq[kMaxRopePairs] = {};  // radians per position, pair p
};
// rope_dim = 2 * rope.freq.size(); no frequencies (rope_dim 0) rotate nothing (bert: biases and the
// K/V stores only).
RopeConfig make_rope_config(int n_head, int n_head_kv, int head_dim, bool neox, const RopeFrequencies &rope);
// One layer of the paged KV cache: a row of kv_dim = n_head_kv * head_dim values per cache
// position, for K and for V. F16: `k`, `v` are __half rows. Q8_0: `k`, `v` are int8 rows (kv_dim
// bytes, so every row is 16-byte aligned) and `k_scale`, `v_scale` hold one FP16 scale per 32
// values (kv_dim / 32 per row): value = scale * int8, as a GGUF Q8_0 block splits it.
struct KvLayer {
    int32_t type = LLCUDA_TYPE_F16;
    void *k = nullptr, *v = nullptr;
    __half *k_scale = nullptr, *v_scale = nullptr;
};
// q (row stride ldq) is rotated in place; k, v (row stride ldkv) go to cache row slots[t]
// (block * block_size + offset; -1 = padding, not stored). Biases may be nullptr. For a Q8_0
// cache K is rotated in place first (k then holds the rotated, biased keys), then both are stored.
void rope_and_store_kv(const RopeConfig &cfg, int n_tokens, const int32_t *positions, const int32_t *slots, float *q,
                       int ldq, float *k, const float *v, int ldkv, const float *bq, const float *bk, const float *bv,
                       const KvLayer &cache, cudaStream_t stream);

// ---- attention.cu: causal attention over the paged cache for prompt chunks and decode tokens.
// A tile is up to `attention_rows(head_dim) / (n_head / n_head_kv)` consecutive tokens of one
// sequence; its keys are positions [0, start_pos + n_tokens) found through the sequence's block table.
struct AttnTile {
    int32_t first_token;   // index in the batch; row of q and out
    int32_t n_tokens;      // 0 = padding tile
    int32_t start_pos;     // position of first_token
    int32_t table_offset;  // index of the sequence's block table in `block_tables`
};
constexpr int kAttnMaxSplits = 16;
constexpr int kAttnKeys = 32;  // keys per K/V tile in shared memory: one per lane when scoring
// Head sizes the kernels are instantiated for (multiples of 16, as the 8-bit output blocks need).
constexpr int kAttnHeadSizes[] = {32, 64, 80, 96, 112, 128, 256};
bool attention_supports_head_dim(int head_dim);
// Static shared memory of a block: its query rows in FP32, one K tile (rows padded by a word
// against bank conflicts) and one V tile in FP16.
__host__ __device__ constexpr int attention_shared_bytes(int rows, int head_dim) {
    return rows * head_dim * 4 + kAttnKeys * (head_dim / 2 + 1) * 4 + kAttnKeys * (head_dim / 2) * 4;
}
// Query rows (token x head of one KV group) per block: 32, or fewer (16, 8) for head sizes whose
// tiles would otherwise pass the static shared memory every architecture gives (256: 8 rows).
__host__ __device__ constexpr int attention_rows(int head_dim) {
    return attention_shared_bytes(32, head_dim) <= kMaxStaticSharedBytes   ? 32
           : attention_shared_bytes(16, head_dim) <= kMaxStaticSharedBytes ? 16
                                                                           : 8;
}
int attention_tile_tokens(int n_head, int n_head_kv, int head_dim);
// Decode steps have few tiles: their keys are split over several blocks (flash-decoding) so that
// every SM works, and a second kernel merges the partial softmax states in `workspace`.
int attention_splits(int n_tiles, int n_head_kv, int sm_count);
size_t attention_workspace_floats(int sm_count, int head_dim);
// How a layer scores keys: q.k * scale (0: 1 / sqrt(head_dim)), then cap * tanh(score / cap)
// when softcap > 0 (gemma2); with window > 0 a query at position p sees keys p - window + 1 .. p.
// With `keys` (device memory, one count per tile; encoders) attention is not causal: every row of
// tile i sees keys [0, keys[i]) whatever its position (no window then).
struct AttnScores {
    float scale = 0.0f;
    float softcap = 0.0f;
    int window = 0;
    const int32_t *keys = nullptr;
};
// q has row stride ldq; out is [T][n_head*head_dim]. outq: when not nullptr, the rows of the
// tiles are also written there in 8-bit blocks (for the output projection).
void attention(const AttnTile *tiles, int n_tiles, const float *q, int ldq, const int32_t *block_tables, int block_size,
               const KvLayer &cache, int n_head, int n_head_kv, int head_dim, int splits, float *workspace, float *out,
               cudaStream_t stream, const Q8Activations *outq = nullptr, const AttnScores &scores = AttnScores{});

// ---- swiglu.cu: out[t][i] = act(gate[t][i]) * up[t][i], act SiLU or (gemma) GELU's tanh
// approximation; gate and up rows have stride ld.
// outq: when not nullptr, out is also written there in 8-bit blocks (n a multiple of 16).
enum class GateActivation { Silu, GeluTanh };
void swiglu(const float *gate, const float *up, int n_tokens, int n, int ld, float *out, cudaStream_t stream,
            const Q8Activations *outq = nullptr, GateActivation activation = GateActivation::Silu);

// ---- soft-cap.cu: x[i] = cap * tanh(x[i] / cap) for n elements (gemma2's final logits).
void soft_cap(float *x, int64_t n, float cap, cudaStream_t stream);

// ---- sampling.cu: greedy choice and its log-probability (log-softmax of the raw logits).
void sample_greedy(const float *logits, int n_rows, int n_vocab, int32_t *tokens, float *logprobs, cudaStream_t stream);

// ---- sample-rows.cu: the host Sampler's function (penalties, temperature, top-k, top-p, min-p,
// the seeded draw) on logits rows; rows are penalized in place. tokens/logprobs are indexed by row.
struct SampleRow {
    int32_t row;             // logits row
    int32_t position;        // the new token's position (the draw's input with the seed)
    int32_t history_offset;  // the sequence's penalty history in `history`
    int32_t n_history;
    llcuda_sampling_params params;
    int32_t allowed_offset = -1;  // first word of the row's allowed-token mask in `allowed`; -1: every token
};
size_t sample_rows_scratch_bytes(int n_rows, int n_vocab);
// scratch: sample_rows_scratch_bytes(n_rows, n_vocab) bytes, 8-byte aligned. allowed: the rows'
// masks of (n_vocab + 31) / 32 words each (may be null when no row has one).
void sample_rows(const SampleRow *rows, int n_rows, const int32_t *history, const uint32_t *allowed, float *logits,
                 int n_vocab, void *scratch, int32_t *tokens, float *logprobs, cudaStream_t stream);
// ---- sampling.cu: sample_greedy over the tokens each row's mask allows (rows[i].allowed_offset
// into `allowed`; -1: every token); rows[i].params are not read (the caller sends only greedy rows
// without penalties). tokens/logprobs are indexed by rows[i].row.
void sample_greedy_masked(const SampleRow *rows, int n_rows, const uint32_t *allowed, const float *logits, int n_vocab,
                          int32_t *tokens, float *logprobs, cudaStream_t stream);

// ---- model-logprobs.cu: the host's model_logprobs (sampling.h) on n_rows raw logits rows: at
// tokens[r] into token_logprobs[r], the n_top most probable into top_tokens/top_logprobs[r * n_top ..].
void model_logprobs(const float *rows, int n_rows, int n_vocab, const int32_t *tokens, int n_top, float *token_logprobs,
                    int32_t *top_tokens, float *top_logprobs, cudaStream_t stream);

// ---- layer-norm.cu: the encoders' post-LayerNorm. x[i] = LayerNorm(x[i] + add[i] + add_row) * w + b
// in place for n_rows rows of n (a multiple of 4); add (rows of n) and add_row ([n]) may be nullptr.
void layer_norm(float *x, const float *add, const float *add_row, int n_rows, int n, const float *w, const float *b,
                float eps, cudaStream_t stream);

// ---- swiglu.cu: x[t][i] += bias[i] (bias may be nullptr), then with `gelu` GELU's tanh
// approximation (bert's FFN), for n_tokens rows of n with stride ld.
void add_bias(float *x, int n_tokens, int n, int ld, const float *bias, bool gelu, cudaStream_t stream);

// ---- pooling.cu: out[s] = the mean of rows [ranges[2s], ranges[2s+1]) of x (rows of n), divided by
// its L2 norm (left zero when the norm is), for n_seqs outputs.
void pool_and_normalise(const float *x, int n, const int32_t *ranges, int n_seqs, float *out, cudaStream_t stream);

// ---- moe.cu: the mixture-of-experts FFN (Mixtral, Qwen3-MoE) as llama.cpp's build_moe_ffn computes it
// with softmax gating and renormalised weights, every step on the device (graph-capturable).
constexpr int kMaxExperts = 1024;  // experts per layer the routing kernels take
constexpr int kMaxExpertsUsed = 64;
// Per token: softmax of its n_expert router logits, the n_used most probable experts (highest first,
// lowest index on ties) into chosen[t * n_used ..], their probabilities divided by their sum (at least
// 2^-14, llama.cpp's clamp) into weights.
void route_experts(const float *logits, int n_tokens, int n_expert, int n_used, int32_t *chosen, float *weights,
                   cudaStream_t stream);
// Most tiles `pairs` routed rows make over n_expert experts.
int max_expert_tiles(int pairs, int n_expert);
// Sorts the pairs by expert: slot_of[p] is pair p's row among the sorted ones, pair_at[r] the pair of
// sorted row r; tiles gets max_expert_tiles(pairs, n_expert) entries (the unused ones expert -1).
void group_by_expert(const int32_t *chosen, int pairs, int n_expert, int32_t *slot_of, int32_t *pair_at,
                     ExpertTile *tiles, cudaStream_t stream);

struct MoeLayer {
    DeviceMatrix router;          // [n_expert rows of n_embd]
    DeviceMatrix gate, up, down;  // one expert's rows; expert e at data + e * *_bytes
    uint64_t gate_bytes = 0, up_bytes = 0, down_bytes = 0;
};
struct MoeShape {
    int n_embd = 0, n_ff = 0, n_expert = 0, n_used = 0;
};
// The work buffers of moe_ffn for up to `tokens` tokens, carved from one allocation.
struct MoeScratch {
    float *logits = nullptr, *weights = nullptr, *gate_up = nullptr, *ffn = nullptr, *down = nullptr;
    int32_t *chosen = nullptr, *slot_of = nullptr, *pair_at = nullptr;
    ExpertTile *tiles = nullptr;
};
size_t moe_scratch_bytes(const MoeShape &shape, int tokens);
MoeScratch moe_scratch(void *memory, const MoeShape &shape, int tokens);
// The FP16 activations (halves) the grouped products of `tokens` tokens need.
size_t moe_half_scratch(const MoeShape &shape, int tokens);
// The 8-bit activation bytes the decode products of up to kMatVecMaxTokens tokens need.
size_t moe_q8_bytes(const MoeShape &shape);
// x[t] += sum over its chosen experts e of weight_e * down_e(SiLU(gate_e xn[t]) * up_e xn[t]) for
// n_tokens rows of n_embd. Up to kMatVecMaxTokens tokens the products are mat-vecs over the routed
// experts only (xq: xn in 8-bit blocks or nullptr; q8: moe_q8_bytes of workspace for the SwiGLU
// output); beyond, grouped tensor-core products per expert.
void moe_ffn(const MoeLayer &layer, const MoeShape &shape, const float *xn, const Q8Activations *xq, int n_tokens,
             float *x, const MoeScratch &scratch, void *q8, int sm_count, const HalfScratch &x16, cudaStream_t stream);

}  // namespace llcuda::cuda
