#include "family-model.h"

#include <cmath>
#include <cstring>

namespace llcuda::tools {

namespace {

// Hyper-parameters from the models' config.json files (Hugging Face): google/gemma-3-1b-it,
// google/gemma-2-2b-it, Qwen/Qwen3-0.6B, Qwen/Qwen3-4B, microsoft/Phi-3.5-mini-instruct. The micro
// shapes keep each family's features small: head size differing from n_embd / n_head, GQA, windows
// shorter than a test prompt, soft-caps small enough to bend the values they cap, rows of 256 for
// the K-quants (phi3's head size 96 gives rows of 384: llama-quantize's fallback types).
constexpr FamilyShape kFamilyShapes[] = {
    {"gemma3-1b", "gemma3", 1152, 26, 4, 1, 256, 6912, 32768, 1000000.0f, 1e-6f, 512, 0.0f, 0.0f},
    {"gemma2-2b", "gemma2", 2304, 26, 8, 4, 256, 9216, 8192, 10000.0f, 1e-6f, 4096, 50.0f, 30.0f},
    {"qwen3-0.6b", "qwen3", 1024, 28, 16, 8, 128, 3072, 40960, 1000000.0f, 1e-6f, 0, 0.0f, 0.0f},
    {"qwen3-4b", "qwen3", 2560, 36, 32, 8, 128, 9728, 40960, 1000000.0f, 1e-6f, 0, 0.0f, 0.0f},
    {"micro-gemma3", "gemma3", 256, 6, 8, 1, 64, 512, 256, 1000000.0f, 1e-6f, 16, 0.0f, 0.0f},
    {"micro-gemma2", "gemma2", 256, 4, 8, 4, 64, 512, 256, 10000.0f, 1e-6f, 16, 5.0f, 3.0f},
    {"micro-qwen3", "qwen3", 256, 2, 8, 2, 64, 512, 256, 1000000.0f, 1e-6f, 0, 0.0f, 0.0f},
    {"micro-llama-swa", "llama", 256, 2, 4, 2, 64, 512, 256, 10000.0f, 1e-5f, 16, 0.0f, 0.0f},
    // microsoft/Phi-3.5-mini-instruct: LongRoPE from 4096 to 131072, a window longer than the context.
    {"phi3.5-mini", "phi3", 3072, 32, 32, 32, 96, 8192, 131072, 10000.0f, 1e-5f, 262144, 0.0f, 0.0f, 96, 4096, true},
    // Head size 96 with GQA, 64 of 96 dimensions rotated (Phi-4-mini rotates 3/4), LongRoPE from 256
    // to 512 (a multiple of 256: llama.cpp rounds its context up to one before choosing the factors).
    {"micro-phi3", "phi3", 384, 2, 4, 2, 96, 512, 512, 10000.0f, 1e-5f, 0, 0.0f, 0.0f, 64, 256, true},
    // Phi-3-mini-4k's layout: a sliding window, no LongRoPE factors.
    {"micro-phi3-swa", "phi3", 384, 2, 4, 4, 96, 512, 256, 10000.0f, 1e-5f, 16, 0.0f, 0.0f, 96, 256, false},
    // Mixtral's layout (llama with 8 experts, 2 per token) and Qwen3-MoE's (qwen3's attention, experts
    // of their own width; 8 of 8 here, 2 per token, where Qwen3-30B-A3B has 128 and 8).
    {"micro-mixtral", "llama", 256, 2, 4, 2, 64, 256, 256, 1000000.0f, 1e-5f, 0, 0.0f, 0.0f, 0, 0, false, 8, 2, 0},
    {"micro-qwen3moe",
     "qwen3moe",
     256,
     2,
     8,
     2,
     64,
     512,
     256,
     1000000.0f,
     1e-6f,
     0,
     0.0f,
     0.0f,
     0,
     0,
     false,
     8,
     2,
     256},
    // Benchmark MoE shapes: Mixtral's layout at TinyLlama's width (8 experts of 5632, 2 per token, 16
    // layers), and Qwen/Qwen3-30B-A3B's layer (128 experts of 768, 8 per token) with 5 of its 48
    // layers, so that the F16 file stays under 8 GB (each layer's experts take 1.2 GB in F16).
    {"mixtral-8x-tiny",
     "llama",
     2048,
     16,
     32,
     4,
     64,
     5632,
     4096,
     1000000.0f,
     1e-5f,
     0,
     0.0f,
     0.0f,
     0,
     0,
     false,
     8,
     2,
     0},
    {"qwen3moe-30b-a3b-5l",
     "qwen3moe",
     2048,
     5,
     32,
     4,
     128,
     6144,
     40960,
     1000000.0f,
     1e-6f,
     0,
     0.0f,
     0.0f,
     0,
     0,
     false,
     128,
     8,
     768},
};

// Synthetic LongRoPE factors of `pairs` pairs: short ones near 1, long ones growing towards the low
// frequencies as Phi-3.5's do (values differ, shape alike).
std::vector<float> longrope_factors(int32_t pairs, bool long_factors) {
    std::vector<float> f(static_cast<size_t>(pairs));
    for (int32_t p = 0; p < pairs; ++p) {
        const float x = static_cast<float>(p) / static_cast<float>(pairs);
        f[static_cast<size_t>(p)] = long_factors ? 1.0f + 40.0f * x * x : 1.0f + 0.25f * x;
    }
    return f;
}

bool is(const FamilyShape &s, const char *arch) {
    return std::strcmp(s.arch, arch) == 0;
}

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
    if (is(s, "llama")) {  // the llama converter: rope dimensions, no key length
        w.add_u32(a + "rope.dimension_count", static_cast<uint32_t>(s.head_dim));
    } else if (is(s, "phi3")) {  // Phi3MiniModel: rotated dimensions, original context, a window (0: none)
        w.add_u32(a + "rope.dimension_count", static_cast<uint32_t>(s.rope_dim));
        w.add_u32(a + "rope.scaling.original_context_length", static_cast<uint32_t>(s.rope_orig_ctx));
        w.add_u32(a + "attention.sliding_window", static_cast<uint32_t>(s.sliding_window));
        if (s.longrope) {  // the converter's LongRoPE magnitude for a context stretched by n_ctx / original
            const double scale = static_cast<double>(s.n_ctx) / s.rope_orig_ctx;
            w.add_f32(a + "rope.scaling.attn_factor",
                      static_cast<float>(std::sqrt(1.0 + std::log(scale) / std::log(s.rope_orig_ctx))));
        }
    } else {
        w.add_u32(a + "attention.key_length", static_cast<uint32_t>(s.head_dim));
        w.add_u32(a + "attention.value_length", static_cast<uint32_t>(s.head_dim));
    }
    // Gemma2's converter writes no rope.freq_base (llama.cpp's default 10000 applies).
    if (std::strcmp(s.arch, "gemma2") != 0) w.add_f32(a + "rope.freq_base", s.rope_theta);
    if (s.sliding_window > 0 && !is(s, "phi3"))
        w.add_u32(a + "attention.sliding_window", static_cast<uint32_t>(s.sliding_window));
    if (s.n_expert > 0) {
        w.add_u32(a + "expert_count", static_cast<uint32_t>(s.n_expert));
        w.add_u32(a + "expert_used_count", static_cast<uint32_t>(s.n_expert_used));
        if (s.n_ff_expert > 0) w.add_u32(a + "expert_feed_forward_length", static_cast<uint32_t>(s.n_ff_expert));
    }
    if (s.attn_softcap > 0.0f) w.add_f32(a + "attn_logit_softcapping", s.attn_softcap);
    if (s.final_softcap > 0.0f) w.add_f32(a + "final_logit_softcapping", s.final_softcap);
}

std::vector<FamilyTensor> family_tensors(const FamilyShape &s, int64_t n_vocab) {
    const int64_t E = s.n_embd, F = s.n_ff, Q = static_cast<int64_t>(s.n_head) * s.head_dim,
                  KV = static_cast<int64_t>(s.n_head_kv) * s.head_dim, D = s.head_dim;
    const bool gemma = std::strncmp(s.arch, "gemma", 5) == 0;
    const bool qk_norm = is(s, "qwen3") || is(s, "gemma3") || is(s, "qwen3moe");
    const int64_t EF = s.n_ff_expert > 0 ? s.n_ff_expert : F, X = s.n_expert;
    const bool phi3 = is(s, "phi3");
    const bool tied = !is(s, "llama") && !phi3 && !is(s, "qwen3moe");
    std::vector<FamilyTensor> t;
    if (s.longrope) {
        t.push_back({"rope_factors_long.weight", {s.rope_dim / 2}, true, longrope_factors(s.rope_dim / 2, true)});
        t.push_back({"rope_factors_short.weight", {s.rope_dim / 2}, true, longrope_factors(s.rope_dim / 2, false)});
    }
    t.push_back({"token_embd.weight", {E, n_vocab}, false});
    for (int i = 0; i < s.n_layer; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        t.push_back({p + "attn_norm.weight", {E}, true});
        if (phi3) {
            t.push_back({p + "attn_qkv.weight", {E, Q + 2 * KV}, false});
        } else {
            t.push_back({p + "attn_q.weight", {E, Q}, false});
            t.push_back({p + "attn_k.weight", {E, KV}, false});
            t.push_back({p + "attn_v.weight", {E, KV}, false});
        }
        if (qk_norm) {
            t.push_back({p + "attn_q_norm.weight", {D}, true});
            t.push_back({p + "attn_k_norm.weight", {D}, true});
        }
        t.push_back({p + "attn_output.weight", {Q, E}, false});
        if (gemma) t.push_back({p + "post_attention_norm.weight", {E}, true});
        t.push_back({p + "ffn_norm.weight", {E}, true});
        if (X > 0) {  // the converter stacks each expert's matrix along ne[2]
            t.push_back({p + "ffn_gate_inp.weight", {E, X}, false});
            t.push_back({p + "ffn_gate_exps.weight", {E, EF, X}, false});
            t.push_back({p + "ffn_up_exps.weight", {E, EF, X}, false});
            t.push_back({p + "ffn_down_exps.weight", {EF, E, X}, false});
        } else if (phi3) {
            t.push_back({p + "ffn_up.weight", {E, 2 * F}, false});
            t.push_back({p + "ffn_down.weight", {F, E}, false});
        } else {
            t.push_back({p + "ffn_gate.weight", {E, F}, false});
            t.push_back({p + "ffn_up.weight", {E, F}, false});
            t.push_back({p + "ffn_down.weight", {F, E}, false});
        }
        if (gemma) t.push_back({p + "post_ffw_norm.weight", {E}, true});
    }
    t.push_back({"output_norm.weight", {E}, true});
    if (!tied) t.push_back({"output.weight", {E, n_vocab}, false});
    return t;
}

}  // namespace llcuda::tools
