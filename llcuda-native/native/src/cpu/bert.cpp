// bert as llama.cpp runs it: token + position + token-type-0 embeddings, LayerNorm, then per layer
// non-causal attention with biases, residual and LayerNorm, a GELU (tanh form) FFN with biases,
// residual and LayerNorm; pooling by the file's pooling_type, then L2 normalisation. nomic-bert:
// no position table but RoPE on q and k, one fused QKV projection, a SwiGLU FFN.
#include "cpu/bert.h"

#include <algorithm>
#include <cmath>

#include "cpu/matmul.h"
#include "cpu/ops.h"
#include "encoder_layout.h"
#include "quants.h"
#include "rope_frequencies.h"

namespace llcuda {

namespace {

const float *f32(const TensorRef &t) {
    return t.present() ? reinterpret_cast<const float *>(t.data) : nullptr;
}

// x = (x - mean) / sqrt(var + eps) * weight + bias over one row, in place.
void layer_norm(float *x, const TensorRef &weight, const TensorRef &bias, int64_t n, float eps) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += x[i];
    const double mean = sum / static_cast<double>(n);
    double var = 0.0;
    for (int64_t i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
    const float inv = static_cast<float>(1.0 / std::sqrt(var / static_cast<double>(n) + eps));
    const float *w = f32(weight), *b = f32(bias);
    for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(x[i] - mean) * inv * w[i] + b[i];
}

void add_rows(float *x, const float *y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) x[i] += y[i];
}

// Position of token t within its input.
int32_t position(const EmbedBatch &batch, int64_t t) {
    const int32_t *next = std::upper_bound(batch.offsets + 1, batch.offsets + batch.n_seqs + 1, t);
    return static_cast<int32_t>(t - next[-1]);
}

// x += y, then LayerNorm, token by token (the residual connection). Like every per-token row
// operation here it runs split by tokens on the pool: on one thread it left the other cores idle.
void add_and_norm(ThreadPool &pool, float *x, const float *y, const TensorRef &weight, const TensorRef &bias, int64_t T,
                  int64_t E, float eps) {
    pool.parallel_for(T, 1, [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) {
            add_rows(x + t * E, y + t * E, E);
            layer_norm(x + t * E, weight, bias, E, eps);
        }
    });
}

// Input embeddings: token + absolute position + token type 0, then the embedding LayerNorm.
void embed_inputs(ThreadPool &pool, const ModelSpec &spec, const EmbedBatch &batch, BertScratch &s) {
    const int64_t E = spec.n_embd;
    std::vector<float> type0(static_cast<size_t>(E), 0.0f);
    if (spec.token_types.present()) dequantize_row(spec.token_types.type, spec.token_types.data, type0.data(), E);
    const uint64_t tok_row = row_bytes(spec.token_embd.type, E);
    const uint64_t pos_row = spec.position_embd.present() ? row_bytes(spec.position_embd.type, E) : 0;
    pool.parallel_for(batch.offsets[batch.n_seqs], 1, [&](int64_t begin, int64_t end) {
        std::vector<float> row(static_cast<size_t>(E));
        for (int64_t t = begin; t < end; ++t) {
            float *x = &s.x[t * E];
            dequantize_row(spec.token_embd.type, spec.token_embd.data + tok_row * batch.tokens[t], x, E);
            if (spec.position_embd.present()) {
                dequantize_row(spec.position_embd.type, spec.position_embd.data + pos_row * position(batch, t),
                               row.data(), E);
                add_rows(x, row.data(), E);
            }
            add_rows(x, type0.data(), E);
            layer_norm(x, spec.token_embd_norm, spec.token_embd_norm_b, E, spec.rms_eps);
        }
    });
}

// Queries per job: they share one pass over their input's keys (the F32 tile); a query's scores do
// not depend on its block, since a tile equals the single dot products bit for bit.
constexpr int64_t kQueryBlock = 8;

// Non-causal softmax attention of every head of every input over that input's tokens.
void attention(const CpuKernels &kernels, ThreadPool &pool, const ModelSpec &spec, const EmbedBatch &batch,
               BertScratch &s) {
    const int64_t QD = spec.q_dim(), KVD = spec.kv_dim(), D = spec.head_dim;
    const int32_t group = spec.n_head / spec.n_head_kv;
    const float scale = 1.0f / std::sqrt(static_cast<float>(D));
    struct QueryBlock {
        int64_t from, to, first, last;  // queries [from, to) of the input whose tokens are [first, last)
    };
    std::vector<QueryBlock> blocks;
    int64_t longest = 0;
    for (int32_t q = 0; q < batch.n_seqs; ++q) {
        const int64_t first = batch.offsets[q], last = batch.offsets[q + 1];
        longest = std::max(longest, last - first);
        for (int64_t t = first; t < last; t += kQueryBlock)
            blocks.push_back({t, std::min(t + kQueryBlock, last), first, last});
    }
    // One job per (query block, head): each reads its input's keys and values only.
    pool.parallel_for(static_cast<int64_t>(blocks.size()) * spec.n_head, 1, [&](int64_t begin, int64_t end) {
        std::vector<float> scores(static_cast<size_t>(kQueryBlock * longest));
        for (int64_t job = begin; job < end; ++job) {
            const QueryBlock &b = blocks[static_cast<size_t>(job / spec.n_head)];
            const int64_t h = job % spec.n_head, kvh = h / group, keys = b.last - b.first;
            const float *vh = &s.v[b.first * KVD + kvh * D];
            products(kernels.f32, D, &s.k[b.first * KVD + kvh * D], KVD * sizeof(float), keys,
                     &s.q[b.from * QD + h * D], QD * sizeof(float), b.to - b.from, scores.data(),
                     static_cast<size_t>(keys));
            for (int64_t t = b.from; t < b.to; ++t) {
                float *p = &scores[static_cast<size_t>((t - b.from) * keys)];
                float max_score = -INFINITY;
                for (int64_t j = 0; j < keys; ++j) max_score = std::max(max_score, p[j] *= scale);
                double sum = 0.0;
                for (int64_t j = 0; j < keys; ++j) sum += p[j] = std::exp(p[j] - max_score);
                float *out = &s.att[t * QD + h * D];
                std::fill(out, out + D, 0.0f);
                for (int64_t j = 0; j < keys; ++j) kernels.axpy(D, static_cast<float>(p[j] / sum), vh + j * KVD, out);
            }
        }
    });
}

// q, k and v of every token: three projections, or one fused projection split by rows (nomic-bert);
// nomic-bert then rotates q and k at each token's position within its input.
void project_qkv(const CpuKernels &kernels, ThreadPool &pool, const ModelSpec &spec, const LayerTensors &l,
                 const EmbedBatch &batch, BertScratch &s) {
    const int64_t T = batch.offsets[batch.n_seqs], QD = spec.q_dim(), KVD = spec.kv_dim();
    if (!l.wqkv.present()) {
        matmul(kernels, pool, l.wq, f32(l.bq), s.x.data(), T, s.q.data(), s.act);
        matmul(kernels, pool, l.wk, f32(l.bk), s.x.data(), T, s.k.data(), s.act);
        matmul(kernels, pool, l.wv, f32(l.bv), s.x.data(), T, s.v.data(), s.act);
    } else {
        const int64_t W = QD + 2 * KVD;
        s.qkv.resize(T * W);
        matmul(kernels, pool, l.wqkv, f32(l.bqkv), s.x.data(), T, s.qkv.data(), s.act);
        pool.parallel_for(T, 1, [&](int64_t begin, int64_t end) {
            for (int64_t t = begin; t < end; ++t) {
                const float *row = &s.qkv[t * W];
                std::copy(row, row + QD, &s.q[t * QD]);
                std::copy(row + QD, row + QD + KVD, &s.k[t * KVD]);
                std::copy(row + QD + KVD, row + W, &s.v[t * KVD]);
            }
        });
    }
    if (!encoder_rotates(spec)) return;
    const RopeFrequencies freqs = rope_frequencies(spec);
    pool.parallel_for(T, 1, [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) {
            const int32_t pos = position(batch, t);
            for (int32_t h = 0; h < spec.n_head; ++h)
                rope(&s.q[t * QD + h * spec.head_dim], spec.rope_type, freqs, pos);
            for (int32_t h = 0; h < spec.n_head_kv; ++h)
                rope(&s.k[t * KVD + h * spec.head_dim], spec.rope_type, freqs, pos);
        }
    });
}

void pool_and_normalise(const ModelSpec &spec, const EmbedBatch &batch, const BertScratch &s, float *out) {
    const int64_t E = spec.n_embd;
    for (int32_t q = 0; q < batch.n_seqs; ++q) {
        const PooledRows rows = pooled_rows(spec, batch, q);
        std::vector<double> sum(static_cast<size_t>(E), 0.0);
        for (int64_t t = rows.from; t < rows.to; ++t)
            for (int64_t i = 0; i < E; ++i) sum[i] += s.x[t * E + i];
        double norm = 0.0;
        for (double &v : sum) {
            v /= static_cast<double>(rows.to - rows.from);
            norm += v * v;
        }
        norm = std::sqrt(norm);
        for (int64_t i = 0; i < E; ++i) out[q * E + i] = static_cast<float>(norm > 0.0 ? sum[i] / norm : 0.0);
    }
}

}  // namespace

void bert_embed(const CpuKernels &kernels, ThreadPool &pool, const ModelSpec &spec, const EmbedBatch &batch,
                BertScratch &s, float *out) {
    const int64_t T = batch.offsets[batch.n_seqs], E = spec.n_embd, QD = spec.q_dim(), KVD = spec.kv_dim(),
                  FF = spec.n_ff;
    s.x.resize(T * E);
    s.q.resize(T * QD);
    s.k.resize(T * KVD);
    s.v.resize(T * KVD);
    s.att.resize(T * QD);
    s.tmp.resize(T * E);
    s.up.resize(T * FF);
    embed_inputs(pool, spec, batch, s);
    for (const LayerTensors &l : spec.layers) {
        project_qkv(kernels, pool, spec, l, batch, s);
        attention(kernels, pool, spec, batch, s);
        matmul(kernels, pool, l.wo, f32(l.bo), s.att.data(), T, s.tmp.data(), s.act);
        add_and_norm(pool, s.x.data(), s.tmp.data(), l.attn_output_norm, l.attn_output_norm_b, T, E, spec.rms_eps);
        matmul(kernels, pool, l.ffn_up, f32(l.ffn_up_b), s.x.data(), T, s.up.data(), s.act);
        if (l.ffn_gate.present()) {
            s.gate.resize(T * FF);
            matmul(kernels, pool, l.ffn_gate, nullptr, s.x.data(), T, s.gate.data(), s.act);
            pool.parallel_for(T, 1, [&](int64_t begin, int64_t end) {
                kernels.silu_mul(&s.gate[begin * FF], &s.up[begin * FF], (end - begin) * FF);
            });
            s.up.swap(s.gate);
        } else {
            pool.parallel_for(T, 1,
                              [&](int64_t begin, int64_t end) { kernels.gelu(&s.up[begin * FF], (end - begin) * FF); });
        }
        matmul(kernels, pool, l.ffn_down, f32(l.ffn_down_b), s.up.data(), T, s.tmp.data(), s.act);
        add_and_norm(pool, s.x.data(), s.tmp.data(), l.layer_output_norm, l.layer_output_norm_b, T, E, spec.rms_eps);
    }
    pool_and_normalise(spec, batch, s, out);
}

}  // namespace llcuda
