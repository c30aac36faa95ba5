// Test-only: partition plans for the shapes of real models (TinyLlama 1.1B, Llama-2 7B and 13B,
// Phi-3 mini with 96-wide heads and fused projections, Qwen2 0.5B with 14 heads and 2 KV heads) in
// their usual quantizations, over 2, 4 and 8 devices: which split each gets and why, the shares
// covering every head, FFN column, vocabulary row and layer once, per-rank bytes adding up to the
// model's (replicated norms once per rank) and the KV cache's, and pipelines balanced by bytes.
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "ggml_blocks.h"
#include "llcuda.h"
#include "model_spec.h"
#include "partition.h"

namespace partition_test {

using Check = std::function<void(bool, const std::string &)>;
using llcuda::ModelSpec;
using llcuda::PartitionMode;
using llcuda::PartitionPlan;
using llcuda::TensorRef;

struct Shape {
    const char *name;
    int32_t n_vocab, n_embd, n_layer, n_head, n_head_kv, head_dim, n_ff;
    int32_t matrix_type, down_type, output_type;  // most matrices, ffn_down and attn_v, the output head
    bool fused = false;                           // phi3: attn_qkv and gate|up in ffn_up
    bool biases = false;                          // qwen2: q/k/v biases
};

// A spec of `shape` with every tensor's type, dims and bytes at distinct offsets (no file behind it).
inline ModelSpec make_spec(const Shape &s) {
    ModelSpec m;
    m.arch = s.fused ? LLCUDA_ARCH_PHI3 : s.biases ? LLCUDA_ARCH_QWEN2 : LLCUDA_ARCH_LLAMA;
    m.n_vocab = s.n_vocab, m.n_embd = s.n_embd, m.n_layer = s.n_layer, m.n_head = s.n_head;
    m.n_head_kv = s.n_head_kv, m.head_dim = s.head_dim, m.n_ff = s.n_ff;
    uint64_t offset = 0;
    auto tensor = [&](const std::string &name, int32_t type, int64_t ne0, int64_t ne1) {
        TensorRef t;
        t.name = name;
        t.type = type;
        t.n_dims = ne1 == 1 ? 1 : 2;
        t.ne[0] = ne0;
        t.ne[1] = ne1;
        t.offset = offset;
        t.size = llcuda::row_bytes(type, ne0) * static_cast<uint64_t>(ne1);
        offset += t.size;
        return t;
    };
    const int64_t q = m.q_dim(), kv = m.kv_dim();
    m.token_embd = tensor("token_embd.weight", s.matrix_type, s.n_embd, s.n_vocab);
    m.output_norm = tensor("output_norm.weight", LLCUDA_TYPE_F32, s.n_embd, 1);
    m.output = tensor("output.weight", s.output_type, s.n_embd, s.n_vocab);
    for (int32_t i = 0; i < s.n_layer; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        llcuda::LayerTensors l;
        l.attn_norm = tensor(p + "attn_norm.weight", LLCUDA_TYPE_F32, s.n_embd, 1);
        if (s.fused) {
            l.wqkv = tensor(p + "attn_qkv.weight", s.matrix_type, s.n_embd, q + 2 * kv);
        } else {
            l.wq = tensor(p + "attn_q.weight", s.matrix_type, s.n_embd, q);
            l.wk = tensor(p + "attn_k.weight", s.matrix_type, s.n_embd, kv);
            l.wv = tensor(p + "attn_v.weight", s.down_type, s.n_embd, kv);
        }
        if (s.biases) {
            l.bq = tensor(p + "attn_q.bias", LLCUDA_TYPE_F32, q, 1);
            l.bk = tensor(p + "attn_k.bias", LLCUDA_TYPE_F32, kv, 1);
            l.bv = tensor(p + "attn_v.bias", LLCUDA_TYPE_F32, kv, 1);
        }
        l.wo = tensor(p + "attn_output.weight", s.matrix_type, q, s.n_embd);
        l.ffn_norm = tensor(p + "ffn_norm.weight", LLCUDA_TYPE_F32, s.n_embd, 1);
        if (!s.fused) l.ffn_gate = tensor(p + "ffn_gate.weight", s.matrix_type, s.n_embd, s.n_ff);
        l.ffn_up = tensor(p + "ffn_up.weight", s.matrix_type, s.n_embd, (s.fused ? 2 : 1) * int64_t{s.n_ff});
        l.ffn_down = tensor(p + "ffn_down.weight", s.down_type, s.n_ff, s.n_embd);
        m.layers.push_back(l);
    }
    return m;
}

// Every index of [0, n) in exactly one span, in order.
inline bool covers(const std::vector<llcuda::Span> &spans, int64_t n) {
    int64_t next = 0;
    for (const llcuda::Span &s : spans) {
        if (s.begin != next || s.size() <= 0) return false;
        next = s.end;
    }
    return next == n;
}

struct Expectation {
    int32_t n_devices;
    PartitionMode mode;
    const char *why;  // a part of the pipeline's reason
};

inline void check_plan(const Check &check, const Shape &shape, const Expectation &want) {
    const ModelSpec spec = make_spec(shape);
    const int64_t kv_tokens = 4096;
    const PartitionPlan plan = llcuda::plan_partition(spec, want.n_devices, kv_tokens, LLCUDA_TYPE_F16);
    const std::string name = std::string(shape.name) + " over " + std::to_string(want.n_devices) + " devices";
    const bool tensor = want.mode == PartitionMode::Tensor;
    check(plan.mode == want.mode && static_cast<int32_t>(plan.ranks.size()) == want.n_devices &&
              (tensor ? plan.why_pipeline.empty() : plan.why_pipeline.find(want.why) != std::string::npos),
          name + ": " + (tensor ? "tensor parallel" : "pipeline because of \"" + std::string(want.why) + "\"") +
              " (plan: " + plan.describe() + ")");

    uint64_t total = 0, replicated = 0, weights = 0, kv = 0;
    for (const TensorRef *t : spec.distinct_tensors()) {
        total += t->size;
        if (t->type == LLCUDA_TYPE_F32 && t->n_dims == 1 && t->name.find(".bias") == std::string::npos)
            replicated += t->size;
    }
    std::vector<llcuda::Span> heads, kv_heads, ffn, vocab, layers;
    uint64_t largest = 0;
    for (const llcuda::RankShare &r : plan.ranks) {
        heads.push_back(r.heads), kv_heads.push_back(r.kv_heads), ffn.push_back(r.ffn), vocab.push_back(r.vocab);
        layers.push_back(r.layers);
        weights += r.weight_bytes;
        kv += r.kv_bytes;
        largest = std::max(largest, r.weight_bytes + r.kv_bytes);
    }
    const uint64_t kv_total = static_cast<uint64_t>(kv_tokens) * 2 * 2 * spec.kv_dim() * spec.n_layer;
    check(kv == kv_total, name + ": the ranks' KV bytes add up to the cache's");
    if (tensor) {
        const int64_t unit = llcuda::type_traits(shape.down_type)->block_size;
        bool whole_blocks = true;
        for (const llcuda::Span &f : ffn) whole_blocks = whole_blocks && f.begin % unit == 0 && f.size() % unit == 0;
        check(covers(heads, spec.n_head) && covers(kv_heads, spec.n_head_kv) && covers(ffn, spec.n_ff) &&
                  covers(vocab, spec.n_vocab) && whole_blocks,
              name + ": heads, KV heads, FFN columns (whole blocks) and vocabulary rows split once each");
        check(weights == total + (want.n_devices - 1) * replicated,
              name + ": the ranks' weight bytes add up to the model's, norms on every rank");
    } else {
        check(covers(layers, spec.n_layer), name + ": every layer on one rank, in order");
        check(weights == total, name + ": the ranks' weight bytes add up to the model's");
        // Balanced: moving one boundary layer could not lower the largest rank below an even share
        // plus one layer.
        uint64_t layer_max = 0;
        for (int32_t l = 0; l < spec.n_layer; ++l) layer_max = std::max(layer_max, spec.layer_bytes(l));
        const uint64_t even = (total + kv_total) / static_cast<uint64_t>(want.n_devices);
        check(largest <= even + layer_max + kv_total / spec.n_layer + spec.output.size + spec.token_embd.size,
              name + ": balanced by bytes (largest rank " + std::to_string(largest) + ", even share " +
                  std::to_string(even) + ")");
    }
}

inline void run(const Check &check) {
    constexpr int32_t Q4 = LLCUDA_TYPE_Q4_K, Q6 = LLCUDA_TYPE_Q6_K, Q8 = LLCUDA_TYPE_Q8_0;
    constexpr PartitionMode T = PartitionMode::Tensor, P = PartitionMode::Pipeline;
    const Shape tinyllama{"TinyLlama 1.1B Q4_K_M", 32000, 2048, 22, 32, 4, 64, 5632, Q4, Q6, Q6};
    const Shape llama7b{"Llama-2 7B Q4_K_M", 32000, 4096, 32, 32, 32, 128, 11008, Q4, Q6, Q6};
    const Shape llama13b{"Llama-2 13B Q4_K_M", 32000, 5120, 40, 40, 40, 128, 13824, Q4, Q6, Q6};
    const Shape phi3{"Phi-3 mini Q4_K_M", 32064, 3072, 32, 32, 32, 96, 8192, Q4, Q6, Q6, true};
    const Shape qwen2{"Qwen2 0.5B Q8_0", 151936, 896, 24, 14, 2, 64, 4864, Q8, Q8, Q8, false, true};
    // 5632 FFN columns are 22 blocks of 256: 4 ranks take 6, 6, 5 and 5 (whole blocks, not equal counts).
    check_plan(check, tinyllama, {2, T, ""});
    check_plan(check, tinyllama, {4, T, ""});
    check_plan(check, tinyllama, {8, P, "the 4 KV heads do not divide over 8 devices"});
    // 11008 = 43 blocks of 256: uneven FFN shares on 2, 4 and 8 ranks.
    check_plan(check, llama7b, {2, T, ""});
    check_plan(check, llama7b, {4, T, ""});
    check_plan(check, llama7b, {8, T, ""});
    check_plan(check, llama13b, {2, T, ""});
    check_plan(check, llama13b, {4, T, ""});
    // 5 heads of 128 per rank: 640 attn_output columns, not whole Q4_K blocks.
    check_plan(check, llama13b, {8, P, "blk.0.attn_output.weight (Q4_K, blocks of 256) would be split inside a block"});
    check_plan(check, phi3, {2, T, ""});
    check_plan(check, phi3, {4, T, ""});
    check_plan(check, phi3, {8, P, "384 columns per device"});
    check_plan(check, qwen2, {2, T, ""});
    check_plan(check, qwen2, {4, P, "the 14 attention heads do not divide over 4 devices"});

    const ModelSpec tiny = make_spec(tinyllama);
    const std::vector<llcuda::Span> ffn4 = llcuda::split_evenly(tiny.n_ff, 256, 4);
    check(ffn4[0].size() == 1536 && ffn4[1].size() == 1536 && ffn4[2].size() == 1280 && ffn4[3].size() == 1280,
          "22 FFN blocks over 4 ranks: 6, 6, 5 and 5 blocks");
    auto refuses = [&](int32_t n, const std::string &part, const std::string &what) {
        try {
            llcuda::plan_partition(tiny, n, 0, LLCUDA_TYPE_F16);
            check(false, what + ": refused");
        } catch (const llcuda::Error &e) {
            check(std::string(e.what()).find(part) != std::string::npos, what + ": refused (" + e.what() + ")");
        }
    };
    refuses(1, "2 to 8 devices, not 1", "a plan for one device");
    refuses(9, "2 to 8 devices, not 9", "a plan for nine devices");
    ModelSpec two_layers = make_spec({"two layers", 256, 256, 2, 3, 3, 64, 512, Q8, Q8, Q8});
    try {
        llcuda::plan_partition(two_layers, 4, 0, LLCUDA_TYPE_F16);
        check(false, "2 layers (3 heads) over 4 devices: refused");
    } catch (const llcuda::Error &e) {
        check(std::string(e.what()).find("a model of 2 layers cannot be split over 4 devices") != std::string::npos,
              std::string("2 layers (3 heads) over 4 devices: refused (") + e.what() + ")");
    }
}

}  // namespace partition_test
