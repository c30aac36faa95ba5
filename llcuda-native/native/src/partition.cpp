#include "partition.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <numeric>

#include "error.h"
#include "ggml_blocks.h"

namespace llcuda {

namespace {

int64_t block_of(const TensorRef &t) {
    return type_traits(t.type)->block_size;
}

// Bytes of `t` restricted to `rows` of its rows (whole rows: every row has the same bytes).
uint64_t row_share(const TensorRef &t, int64_t rows) {
    return t.present() ? t.size / static_cast<uint64_t>(t.rows()) * static_cast<uint64_t>(rows) : 0;
}

// Bytes of `t` restricted to `cols` elements of every row (whole blocks, checked by the planner).
uint64_t column_share(const TensorRef &t, int64_t cols) {
    return t.present() ? row_bytes(t.type, cols) * static_cast<uint64_t>(t.rows()) : 0;
}

std::string mib(uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return text;
}

std::string span_text(const Span &s) {
    return std::to_string(s.begin) + "-" + std::to_string(s.end - 1);
}

uint64_t kv_bytes(int64_t kv_tokens, int32_t kv_type, int64_t kv_columns, int64_t layers) {
    return static_cast<uint64_t>(kv_tokens) * 2 * row_bytes(kv_type, kv_columns) * static_cast<uint64_t>(layers);
}

// Why tensor parallelism does not fit `spec` over n devices; empty when it does.
std::string tensor_parallel_refusal(const ModelSpec &spec, int32_t n, int32_t kv_type, int64_t ffn_unit) {
    const std::string over = " over " + std::to_string(n) + " devices";
    if (spec.is_encoder()) return "encoder models are split by layers only";
    if (spec.n_expert > 0) return "mixture-of-experts layers are split by layers only";
    if (spec.n_head % n != 0) return "the " + std::to_string(spec.n_head) + " attention heads do not divide" + over;
    if (spec.n_head_kv % n != 0) return "the " + std::to_string(spec.n_head_kv) + " KV heads do not divide" + over;
    const int64_t q_cols = static_cast<int64_t>(spec.n_head / n) * spec.head_dim;
    for (const LayerTensors &l : spec.layers) {
        if (q_cols % block_of(l.wo) != 0) {
            return l.wo.name + " (" + type_traits(l.wo.type)->name + ", blocks of " + std::to_string(block_of(l.wo)) +
                   ") would be split inside a block: " + std::to_string(q_cols) + " columns per device";
        }
    }
    const int64_t kv_cols = static_cast<int64_t>(spec.n_head_kv / n) * spec.head_dim;
    if (kv_cols % type_traits(kv_type)->block_size != 0) {
        return "the KV cache (" + std::string(type_traits(kv_type)->name) +
               ") would be split inside a block: " + std::to_string(kv_cols) + " columns per device";
    }
    if (spec.n_ff / ffn_unit < n) {
        return "the FFN width " + std::to_string(spec.n_ff) + " has fewer than " + std::to_string(n) + " blocks of " +
               std::to_string(ffn_unit);
    }
    if (spec.n_vocab < n) return "the vocabulary of " + std::to_string(spec.n_vocab) + " has fewer rows than devices";
    return {};
}

PartitionPlan tensor_plan(const ModelSpec &spec, int32_t n, int64_t kv_tokens, int32_t kv_type, int64_t ffn_unit) {
    const std::vector<Span> heads = split_evenly(spec.n_head, 1, n), kv_heads = split_evenly(spec.n_head_kv, 1, n);
    const std::vector<Span> ffn = split_evenly(spec.n_ff, ffn_unit, n), vocab = split_evenly(spec.n_vocab, 1, n);
    PartitionPlan plan;
    plan.mode = PartitionMode::Tensor;
    for (int32_t r = 0; r < n; ++r) {
        RankShare s{heads[r], kv_heads[r], ffn[r], vocab[r], Span{0, spec.n_layer}};
        const int64_t q = heads[r].size() * spec.head_dim, kv = kv_heads[r].size() * spec.head_dim, f = ffn[r].size();
        uint64_t w = row_share(spec.token_embd, vocab[r].size()) + spec.output_norm.size;
        if (spec.output.offset != spec.token_embd.offset) w += row_share(spec.output, vocab[r].size());
        for (const LayerTensors &l : spec.layers) {
            w += row_share(l.wq, q) + row_share(l.wk, kv) + row_share(l.wv, kv) + row_share(l.wqkv, q + 2 * kv);
            w += column_share(l.bq, q) + column_share(l.bk, kv) + column_share(l.bv, kv);
            w += column_share(l.bqkv, q + 2 * kv) + column_share(l.wo, q);
            // phi3 keeps gate and up in one ffn_up of 2 * n_ff rows; each rank takes its rows of both halves.
            const int64_t up_rows = l.ffn_up.rows() == 2 * static_cast<int64_t>(spec.n_ff) ? 2 * f : f;
            w += row_share(l.ffn_gate, f) + row_share(l.ffn_up, up_rows) + column_share(l.ffn_down, f);
            for (const TensorRef *t :
                 {&l.attn_norm, &l.ffn_norm, &l.attn_q_norm, &l.attn_k_norm, &l.attn_post_norm, &l.ffn_post_norm})
                w += t->size;
        }
        s.weight_bytes = w;
        s.kv_bytes = kv_bytes(kv_tokens, kv_type, kv, spec.n_layer);
        plan.ranks.push_back(s);
    }
    return plan;
}

// Contiguous layer ranges minimising the largest rank's bytes (the first rank also holds the input
// embeddings, the last the output head), by dynamic programming over (ranks, layers).
PartitionPlan pipeline_plan(const ModelSpec &spec, int32_t n, int64_t kv_tokens, int32_t kv_type, std::string why) {
    const int64_t n_layer = spec.n_layer;
    if (n_layer < n) {
        fail(LLCUDA_ERR_UNSUPPORTED, "a model of " + std::to_string(n_layer) + " layers cannot be split over " +
                                         std::to_string(n) + " devices (" + why + ")");
    }
    uint64_t first = 0, last = spec.output_norm.size + spec.output.size;
    for (const TensorRef *t :
         {&spec.token_embd, &spec.position_embd, &spec.token_types, &spec.token_embd_norm, &spec.token_embd_norm_b})
        first += t->size;
    const uint64_t kv_layer = kv_bytes(kv_tokens, kv_type, spec.kv_dim(), 1);
    std::vector<uint64_t> prefix(static_cast<size_t>(n_layer) + 1, 0);
    for (int64_t l = 0; l < n_layer; ++l)
        prefix[l + 1] = prefix[l] + spec.layer_bytes(static_cast<int32_t>(l)) + kv_layer;
    auto cost = [&](int32_t rank, int64_t begin, int64_t end) {
        return prefix[end] - prefix[begin] + (rank == 0 ? first : 0) + (rank == n - 1 ? last : 0);
    };
    constexpr uint64_t kNone = std::numeric_limits<uint64_t>::max();
    // best[r][e]: the smallest largest-rank bytes with ranks 0..r holding layers [0, e); from[r][e] its split.
    std::vector<std::vector<uint64_t>> best(n, std::vector<uint64_t>(n_layer + 1, kNone));
    std::vector<std::vector<int64_t>> from(n, std::vector<int64_t>(n_layer + 1, 0));
    for (int64_t e = 1; e <= n_layer; ++e) best[0][e] = cost(0, 0, e);
    for (int32_t r = 1; r < n; ++r) {
        for (int64_t e = r + 1; e <= n_layer; ++e) {
            for (int64_t b = r; b < e; ++b) {
                if (best[r - 1][b] == kNone) continue;
                const uint64_t worst = std::max(best[r - 1][b], cost(r, b, e));
                if (worst < best[r][e]) {
                    best[r][e] = worst;
                    from[r][e] = b;
                }
            }
        }
    }
    PartitionPlan plan;
    plan.mode = PartitionMode::Pipeline;
    plan.why_pipeline = std::move(why);
    plan.ranks.resize(static_cast<size_t>(n));
    int64_t end = n_layer;
    for (int32_t r = n - 1; r >= 0; --r) {
        const int64_t begin = r == 0 ? 0 : from[r][end];
        RankShare &s = plan.ranks[r];
        s.heads = {0, spec.n_head};
        s.kv_heads = {0, spec.n_head_kv};
        s.ffn = {0, spec.n_ff};
        s.vocab = {0, spec.n_vocab};
        s.layers = {begin, end};
        s.kv_bytes = kv_layer * static_cast<uint64_t>(end - begin);
        s.weight_bytes = cost(r, begin, end) - s.kv_bytes;
        end = begin;
    }
    return plan;
}

}  // namespace

std::vector<Span> split_evenly(int64_t n, int64_t unit, int32_t parts) {
    require(unit > 0 && parts > 0 && n % unit == 0 && n / unit >= parts,
            std::to_string(n) + " cannot be split into " + std::to_string(parts) + " parts of whole " +
                std::to_string(unit) + "s");
    const int64_t units = n / unit;
    std::vector<Span> spans;
    int64_t begin = 0;
    for (int32_t p = 0; p < parts; ++p) {
        const int64_t size = (units / parts + (p < units % parts ? 1 : 0)) * unit;
        spans.push_back({begin, begin + size});
        begin += size;
    }
    return spans;
}

PartitionPlan plan_partition(const ModelSpec &spec, int32_t n_devices, int64_t kv_tokens, int32_t kv_type) {
    require(n_devices >= 2 && n_devices <= kMaxPartitionDevices, "a model is split over 2 to " +
                                                                     std::to_string(kMaxPartitionDevices) +
                                                                     " devices, not " + std::to_string(n_devices));
    require(kv_tokens >= 0, "kv_tokens " + std::to_string(kv_tokens) + " is negative");
    require(kv_type == LLCUDA_TYPE_F16 || kv_type == LLCUDA_TYPE_Q8_0,
            "kv_type " + ggml_type_name(kv_type) + " is not a KV cache type (F16 or Q8_0)");
    int64_t ffn_unit = 1;
    for (const LayerTensors &l : spec.layers)
        if (l.ffn_down.present()) ffn_unit = std::lcm(ffn_unit, block_of(l.ffn_down));
    std::string refusal = tensor_parallel_refusal(spec, n_devices, kv_type, ffn_unit);
    if (refusal.empty()) return tensor_plan(spec, n_devices, kv_tokens, kv_type, ffn_unit);
    return pipeline_plan(spec, n_devices, kv_tokens, kv_type, std::move(refusal));
}

std::string PartitionPlan::describe() const {
    std::string text;
    if (mode == PartitionMode::Tensor) {
        text = "tensor parallel over " + std::to_string(ranks.size()) + " devices";
    } else {
        text = "pipeline over " + std::to_string(ranks.size()) + " devices because " + why_pipeline;
    }
    for (size_t r = 0; r < ranks.size(); ++r) {
        const RankShare &s = ranks[r];
        text += "; rank " + std::to_string(r) + ": ";
        if (mode == PartitionMode::Tensor) {
            text += "heads " + span_text(s.heads) + ", KV heads " + span_text(s.kv_heads) + ", FFN columns " +
                    span_text(s.ffn) + ", vocabulary rows " + span_text(s.vocab);
        } else {
            text += "layers " + span_text(s.layers);
        }
        text += ", " + mib(s.weight_bytes) + " weights";
        if (s.kv_bytes > 0) text += " + " + mib(s.kv_bytes) + " KV";
    }
    return text;
}

}  // namespace llcuda
