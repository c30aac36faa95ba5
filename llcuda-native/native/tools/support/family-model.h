// Shapes, metadata and tensor layout of the model families beyond llama (qwen3, gemma2, gemma3, phi3), as
// llama.cpp's convert_hf_to_gguf.py writes them, and of a llama with a sliding window (Mistral v0.1's
// window, which that converter does not write but other GGUF writers do): the model generator and
// the native tests build their synthetic files from this one description.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gguf-file.h"

namespace llcuda::tools {

struct FamilyShape {
    const char *name;
    const char *arch;  // general.architecture
    int32_t n_embd, n_layer, n_head, n_head_kv, head_dim, n_ff, n_ctx;
    float rope_theta, rms_eps;
    int32_t sliding_window;             // 0: the file has no attention.sliding_window (phi3: writes 0)
    float attn_softcap, final_softcap;  // gemma2 only
    // phi3: rotated dimensions (0: head_dim), rope.scaling.original_context_length (0: none), and
    // whether the file has LongRoPE's rope_factors_long/short and rope.scaling.attn_factor.
    int32_t rope_dim = 0, rope_orig_ctx = 0;
    bool longrope = false;
    // Mixture of experts (llama as Mixtral, qwen3moe): experts per layer, per token, and each
    // expert's width (qwen3moe's expert_feed_forward_length; llama's experts take n_ff).
    int32_t n_expert = 0, n_expert_used = 0, n_ff_expert = 0;
};

// Real shapes (gemma-3-1b, gemma-2-2b, qwen3-0.6b, qwen3-4b, phi-3.5-mini, the MoE benchmark shapes mixtral-8x-tiny and
// qwen3moe-30b-a3b-5l) and micro ones for tests; nullptr when `name` is none of them.
const FamilyShape *find_family_shape(const std::string &name);
std::string family_shape_names();  // "a|b|c"

// One tensor of the file: norms are F32 vectors, the rest weight matrices; `values` set: an F32
// tensor of fixed values (LongRoPE's factors).
struct FamilyTensor {
    std::string name;
    std::vector<int64_t> ne;
    bool norm;
    std::vector<float> values = {};
};

// general.architecture and the <arch>.* keys the converter writes (no tokenizer keys).
void add_family_metadata(GgufWriter &w, const FamilyShape &shape);
// Every tensor of the file in the converter's naming; the output projection is tied to
// token_embd in the qwen3 and gemma files (no output.weight), llama and phi3 have their own. phi3
// fuses q, k, v into attn_qkv and gate, up into ffn_up (gate rows first).
std::vector<FamilyTensor> family_tensors(const FamilyShape &shape, int64_t n_vocab);

}  // namespace llcuda::tools
