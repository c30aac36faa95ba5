#include "family-model.h"

#include <cstring>

namespace llcuda::tools {

namespace {

// Hyper-parameters from the models' config.json files (Hugging Face): google/gemma-3-1b-it,
// google/gemma-2-2b-it, Qwen/Qwen3-0.6B, Qwen/Qwen3-4B. The micro shapes keep each family's
// features small: head size differing from n_embd / n_head, GQA, windows shorter than a test prompt,
// soft-caps small enough to bend the values they cap, rows of 256 for the K-quants.
constexpr FamilyShape kFamilyShapes[] = {
    {"gemma3-1b", "gemma3", 1152, 26, 4, 1, 256, 6912, 32768, 1000000.0f, 1e-6f, 512, 0.0f, 0.0f},
    {"gemma2-2b", "gemma2", 2304, 26, 8, 4, 256, 9216, 8192, 10000.0f, 1e-6f, 4096, 50.0f, 30.0f},
    {"qwen3-0.6b", "qwen3", 1024, 28, 16, 8, 128, 3072, 40960, 1000000.0f, 1e-6f, 0, 0.0f, 0.0f},
    {"qwen3-4b", "qwen3", 2560, 36, 32, 8, 128, 9728, 40960, 1000000.0f, 1e-6f, 0, 0.0f, 0.0f},
    {"micro-gemma3", "gemma3", 256, 6, 8, 1, 64, 512, 256, 1000000.0f, 1e-6f, 16, 0.0f, 0.0f},
    {"micro-gemma2", "gemma2", 256, 4, 8, 4, 64, 512, 256, 10000.0f, 1e-6f, 16, 5.0f, 3.0f},
    {"micro-qwen3", "qwen3", 256, 2, 8, 2, 64, 512, 256, 1000000.0f, 1e-6f, 0, 0.0f, 0.0f},
    {"micro-llama-swa", "llama", 256, 2, 4, 2, 64, 512, 256, 10000.0f, 1e-5f, 16, 0.0f, 0.0f},
};

}  // namespace

const FamilyShape *find_family_shape(const std::string &name) {
    for (const FamilyShape &s : kFamilyShapes)
        if (name == s.name) return &s;
    return nullptr;
}

std::string family_shape_names() {
    std::string names;
    for (const FamilyShape &s : kFamilyShapes) names += (names.empty() ? "" : "|") + std::string(s.name);
    return names;
}

void add_family_metadata(GgufWriter &w, const FamilyShape &s) {
    const std::string a = std::string(s.arch) + ".";
    w.add_string("general.architecture", s.arch);
    w.add_u32(a + "context_length", static_cast<uint32_t>(s.n_ctx));
    w.add_u32(a + "embedding_length", static_cast<uint32_t>(s.n_embd));
    w.add_u32(a + "block_count", static_cast<uint32_t>(s.n_layer));
    w.add_u32(a + "feed_forward_length", static_cast<uint32_t>(s.n_ff));
    w.add_u32(a + "attention.head_count", static_cast<uint32_t>(s.n_head));
    w.add_u32(a + "attention.head_count_kv", static_cast<uint32_t>(s.n_head_kv));
    w.add_f32(a + "attention.layer_norm_rms_epsilon", s.rms_eps);
    if (std::strcmp(s.arch, "llama") == 0) {  // the llama converter: rope dimensions, no key length
        w.add_u32(a + "rope.dimension_count", static_cast<uint32_t>(s.head_dim));
    } else {
        w.add_u32(a + "attention.key_length", static_cast<uint32_t>(s.head_dim));
        w.add_u32(a + "attention.value_length", static_cast<uint32_t>(s.head_dim));
    }
    // Gemma2's converter writes no rope.freq_base (llama.cpp's default 10000 applies).
    if (std::strcmp(s.arch, "gemma2") != 0) w.add_f32(a + "rope.freq_base", s.rope_theta);
    if (s.sliding_window > 0) w.add_u32(a + "attention.sliding_window", static_cast<uint32_t>(s.sliding_window));
    if (s.attn_softcap > 0.0f) w.add_f32(a + "attn_logit_softcapping", s.attn_softcap);
    if (s.final_softcap > 0.0f) w.add_f32(a + "final_logit_softcapping", s.final_softcap);
}

std::vector<FamilyTensor> family_tensors(const FamilyShape &s, int64_t n_vocab) {
    const int64_t E = s.n_embd, F = s.n_ff, Q = static_cast<int64_t>(s.n_head) * s.head_dim,
                  KV = static_cast<int64_t>(s.n_head_kv) * s.head_dim, D = s.head_dim;
    const bool gemma = std::strncmp(s.arch, "gemma", 5) == 0;
    const bool qk_norm = std::strcmp(s.arch, "qwen3") == 0 || std::strcmp(s.arch, "gemma3") == 0;
    const bool tied = std::strcmp(s.arch, "llama") != 0;
    std::vector<FamilyTensor> t;
    t.push_back({"token_embd.weight", {E, n_vocab}, false});
    for (int i = 0; i < s.n_layer; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        t.push_back({p + "attn_norm.weight", {E}, true});
        t.push_back({p + "attn_q.weight", {E, Q}, false});
        t.push_back({p + "attn_k.weight", {E, KV}, false});
        t.push_back({p + "attn_v.weight", {E, KV}, false});
        if (qk_norm) {
            t.push_back({p + "attn_q_norm.weight", {D}, true});
            t.push_back({p + "attn_k_norm.weight", {D}, true});
        }
        t.push_back({p + "attn_output.weight", {Q, E}, false});
        if (gemma) t.push_back({p + "post_attention_norm.weight", {E}, true});
        t.push_back({p + "ffn_norm.weight", {E}, true});
        t.push_back({p + "ffn_gate.weight", {E, F}, false});
        t.push_back({p + "ffn_up.weight", {E, F}, false});
        t.push_back({p + "ffn_down.weight", {F, E}, false});
        if (gemma) t.push_back({p + "post_ffw_norm.weight", {E}, true});
    }
    t.push_back({"output_norm.weight", {E}, true});
    if (!tied) t.push_back({"output.weight", {E, n_vocab}, false});
    return t;
}

}  // namespace llcuda::tools
