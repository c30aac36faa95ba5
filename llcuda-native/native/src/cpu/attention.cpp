#include "cpu/attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace llcuda {

void attention(const CpuKernels &kernels, ThreadPool &pool, const ModelSpec &spec, const StepBatch &batch,
               CpuKvCache &cache, int32_t layer, const float *q, float *out) {
    const int32_t head_dim = spec.head_dim, group = spec.n_head / spec.n_head_kv;
    const int64_t q_dim = spec.q_dim();
    const float scale = spec.query_scale(), cap = spec.attn_softcap;
    const int64_t items = static_cast<int64_t>(batch.n_tokens) * spec.n_head;
    pool.parallel_for(items, 1, [&](int64_t begin, int64_t end) {
        std::vector<float> scores;
        for (int64_t item = begin; item < end; ++item) {
            const int32_t t = static_cast<int32_t>(item / spec.n_head), h = static_cast<int32_t>(item % spec.n_head);
            const SeqSpan &seq = batch.seqs[static_cast<size_t>(batch.seq_ids[t])];
            const int32_t pos = batch.positions[t];
            const int64_t kv_offset = static_cast<int64_t>(h / group) * head_dim;
            const float *qh = q + t * q_dim + static_cast<int64_t>(h) * head_dim;
            const int32_t first = spec.first_visible(layer, pos);
            scores.resize(static_cast<size_t>(pos) + 1);
            float max_score = -INFINITY;
            for (int32_t j = first; j <= pos; ++j) {
                const float *k = cache.k(layer, cache.slot(seq.blocks, j)) + kv_offset;
                float score = kernels.f32.dot(head_dim, k, qh) * scale;
                if (cap > 0.0f) score = cap * std::tanh(score / cap);
                scores[static_cast<size_t>(j)] = score;
                max_score = std::max(max_score, score);
            }
            float *o = out + t * q_dim + static_cast<int64_t>(h) * head_dim;
            std::fill(o, o + head_dim, 0.0f);
            double total = 0.0;
            for (int32_t j = first; j <= pos; ++j) {
                const float p = std::exp(scores[static_cast<size_t>(j)] - max_score);
                total += p;
                kernels.axpy(head_dim, p, cache.v(layer, cache.slot(seq.blocks, j)) + kv_offset, o);
            }
            const float inv = static_cast<float>(1.0 / total);
            for (int32_t d = 0; d < head_dim; ++d) o[d] *= inv;
        }
    });
}

}  // namespace llcuda
