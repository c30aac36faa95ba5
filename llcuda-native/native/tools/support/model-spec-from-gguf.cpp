#include "model-spec-from-gguf.h"

#include <cmath>
#include <stdexcept>

namespace llcuda::tools {

namespace {

// The same rules as the Java ModelSpecReader, after llama.cpp's hyper-parameter loading.
void set_family_parameters(const GgufFile &file, const std::string &arch, llcuda_model_spec &s) {
    s.sliding_window = static_cast<int32_t>(file.get_int(arch + ".attention.sliding_window", 0));
    if (arch != "gemma2" && arch != "gemma3") return;
    s.embd_scale = std::sqrt(static_cast<float>(s.n_embd));
    // gemma's 27B models scale queries by n_embd / n_head instead of the head size.
    const bool is_27b = s.n_layer == (arch == "gemma2" ? 46 : 62);
    s.attn_scale = 1.0f / std::sqrt(static_cast<float>(is_27b ? s.n_embd / s.n_head : s.head_dim));
    if (arch == "gemma2") {
        if (s.sliding_window == 0) s.sliding_window = 4096;
        s.sliding_pattern = 2;
        s.attn_softcap = static_cast<float>(file.get_real("gemma2.attn_logit_softcapping", 50.0));
        s.final_softcap = static_cast<float>(file.get_real("gemma2.final_logit_softcapping", 30.0));
    } else {
        s.final_softcap = static_cast<float>(file.get_real("gemma3.final_logit_softcapping", 0.0));
        s.sliding_pattern = 6;
        s.rope_theta_sliding = 10000.0f;
        s.rope_freq_scale_sliding = 1.0f;
    }
}

}  // namespace

GgufModelSpec model_spec_from_gguf(const GgufFile &file, int32_t n_ctx) {
    GgufModelSpec out;
    const std::string arch = file.get_string("general.architecture");
    llcuda_model_spec &s = out.spec;
    if (arch == "llama") {
        s.arch = LLCUDA_ARCH_LLAMA;
        s.rope_type = LLCUDA_ROPE_NORMAL;
    } else if (arch == "qwen2" || arch == "qwen3") {
        s.arch = arch == "qwen2" ? LLCUDA_ARCH_QWEN2 : LLCUDA_ARCH_QWEN3;
        s.rope_type = LLCUDA_ROPE_NEOX;
    } else if (arch == "gemma2" || arch == "gemma3") {
        s.arch = arch == "gemma2" ? LLCUDA_ARCH_GEMMA2 : LLCUDA_ARCH_GEMMA3;
        s.rope_type = LLCUDA_ROPE_NEOX;
    } else if (arch == "qwen3moe") {
        s.arch = LLCUDA_ARCH_QWEN3MOE;
        s.rope_type = LLCUDA_ROPE_NEOX;
    } else if (arch == "phi3") {
        s.arch = LLCUDA_ARCH_PHI3;
        s.rope_type = LLCUDA_ROPE_NEOX;
    } else if (arch == "bert" || arch == "nomic-bert") {
        s.arch = arch == "bert" ? LLCUDA_ARCH_BERT : LLCUDA_ARCH_NOMIC_BERT;
        s.rope_type = arch == "bert" ? LLCUDA_ROPE_NORMAL : LLCUDA_ROPE_NEOX;  // bert: unused, a valid value
        s.pooling_type = static_cast<int32_t>(file.get_int(arch + ".pooling_type"));
    } else {
        throw std::runtime_error(file.path() + ": architecture " + arch + " unsupported");
    }
    s.n_embd = static_cast<int32_t>(file.get_int(arch + ".embedding_length"));
    s.n_layer = static_cast<int32_t>(file.get_int(arch + ".block_count"));
    s.n_head = static_cast<int32_t>(file.get_int(arch + ".attention.head_count"));
    s.n_head_kv = static_cast<int32_t>(file.get_int(arch + ".attention.head_count_kv", s.n_head));
    s.n_ff = static_cast<int32_t>(file.get_int(arch + ".feed_forward_length"));
    s.head_dim =
        static_cast<int32_t>(file.get_int(arch + ".attention.key_length", s.n_head > 0 ? s.n_embd / s.n_head : 0));
    s.n_ctx = n_ctx > 0 ? n_ctx : static_cast<int32_t>(file.get_int(arch + ".context_length"));
    s.rope_dim = static_cast<int32_t>(file.get_int(arch + ".rope.dimension_count", s.head_dim));
    s.rope_theta = static_cast<float>(file.get_real(arch + ".rope.freq_base", 10000.0));
    const double factor = file.get_real(arch + ".rope.scaling.factor", 1.0);
    s.rope_freq_scale = static_cast<float>(factor > 0 ? 1.0 / factor : 1.0);
    s.rope_attn_factor = static_cast<float>(file.get_real(arch + ".rope.scaling.attn_factor", 1.0));
    const std::string scaling =
        file.has(arch + ".rope.scaling.type") ? file.get_string(arch + ".rope.scaling.type") : "";
    if (scaling == "yarn") {
        s.rope_scaling = LLCUDA_ROPE_SCALING_YARN;
        s.rope_orig_ctx = static_cast<int32_t>(
            file.get_int(arch + ".rope.scaling.original_context_length", file.get_int(arch + ".context_length")));
        s.yarn_ext_factor = 1.0f;
        s.yarn_beta_fast = static_cast<float>(file.get_real(arch + ".rope.scaling.yarn_beta_fast", 32.0));
        s.yarn_beta_slow = static_cast<float>(file.get_real(arch + ".rope.scaling.yarn_beta_slow", 1.0));
    } else if (scaling == "linear") {
        s.rope_scaling = LLCUDA_ROPE_SCALING_LINEAR;
    } else if (!scaling.empty() && scaling != "none") {
        throw std::runtime_error(file.path() + ": RoPE scaling type " + scaling + " unsupported (none, linear, yarn)");
    } else if (file.find_tensor("rope_freqs.weight")) {
        s.rope_scaling = LLCUDA_ROPE_SCALING_LLAMA3;
    } else if (file.find_tensor("rope_factors_long.weight")) {
        s.rope_scaling = LLCUDA_ROPE_SCALING_LONGROPE;
        s.rope_orig_ctx = static_cast<int32_t>(file.get_int(arch + ".rope.scaling.original_context_length"));
    }
    s.rms_eps = static_cast<float>(s.pooling_type != LLCUDA_POOLING_NONE
                                       ? file.get_real(arch + ".attention.layer_norm_epsilon", 1e-12)
                                       : file.get_real(arch + ".attention.layer_norm_rms_epsilon", 1e-5));
    set_family_parameters(file, arch, s);
    s.n_expert = static_cast<int32_t>(file.get_int(arch + ".expert_count", 0));
    s.n_expert_used = static_cast<int32_t>(file.get_int(arch + ".expert_used_count", 0));
    s.n_ff_expert = static_cast<int32_t>(file.get_int(arch + ".expert_feed_forward_length", 0));
    const GgufTensor *embd = file.find_tensor("token_embd.weight");
    if (!embd) throw std::runtime_error(file.path() + ": token_embd.weight is missing");
    s.n_vocab = static_cast<int32_t>(embd->ne[1]);

    out.names.reserve(file.tensors().size());
    for (const GgufTensor &t : file.tensors()) {
        out.names.push_back(t.name);
        llcuda_tensor_desc d{};
        d.type = t.type;
        d.n_dims = t.n_dims;
        for (int i = 0; i < 4; ++i) d.ne[i] = t.ne[i];
        d.offset = t.offset;
        d.size = t.size;
        out.descs.push_back(d);
    }
    for (size_t i = 0; i < out.descs.size(); ++i) out.descs[i].name = out.names[i].c_str();
    s.n_tensors = static_cast<int32_t>(out.descs.size());
    s.tensors = out.descs.data();
    return out;
}

}  // namespace llcuda::tools
