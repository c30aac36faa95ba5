#include "model-spec-from-gguf.h"

#include <stdexcept>

namespace llcuda::tools {

GgufModelSpec model_spec_from_gguf(const GgufFile &file, int32_t n_ctx) {
    GgufModelSpec out;
    const std::string arch = file.get_string("general.architecture");
    llcuda_model_spec &s = out.spec;
    if (arch == "llama") {
        s.arch = LLCUDA_ARCH_LLAMA;
        s.rope_type = LLCUDA_ROPE_NORMAL;
    } else if (arch == "qwen2") {
        s.arch = LLCUDA_ARCH_QWEN2;
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
    s.head_dim = s.n_head > 0 ? s.n_embd / s.n_head : 0;
    s.n_ctx = n_ctx > 0 ? n_ctx : static_cast<int32_t>(file.get_int(arch + ".context_length"));
    s.rope_dim = static_cast<int32_t>(file.get_int(arch + ".rope.dimension_count", s.head_dim));
    s.rope_theta = static_cast<float>(file.get_real(arch + ".rope.freq_base", 10000.0));
    const double factor = file.get_real(arch + ".rope.scaling.factor", 1.0);
    s.rope_freq_scale = static_cast<float>(factor > 0 ? 1.0 / factor : 1.0);
    s.rms_eps = static_cast<float>(s.pooling_type != LLCUDA_POOLING_NONE ? file.get_real(arch + ".attention.layer_norm_epsilon", 1e-12)
                                                             : file.get_real(arch + ".attention.layer_norm_rms_epsilon", 1e-5));
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
