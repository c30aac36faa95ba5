// Validation of the caller's model spec: nothing in it is trusted. Every tensor the forward pass
// reads is checked for presence, type, shape and bytes inside the model file.
#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <unordered_set>

#include "error.h"
#include "ggml_blocks.h"
#include "model_file.h"
#include "model_spec.h"

namespace llcuda {

namespace {

// Limits far above real models that keep every derived size well inside 64 bits.
constexpr int32_t kMaxDim = 1 << 20;  // n_embd, n_ff, head_dim, n_vocab (up to ~1M tokens)
constexpr int32_t kMaxLayers = 4096;
constexpr int32_t kMaxContext = 1 << 24;

enum class Kind { Matrix, Vector };  // a weight matrix (any supported type) or an F32 vector

void check_range(const char *field, int64_t value, int64_t lo, int64_t hi) {
    require(value >= lo && value <= hi, std::string("model spec: ") + field + " = " + std::to_string(value) +
                                            " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

void require_finite(const char *field, float value, float lo, float hi) {
    require(std::isfinite(value) && value >= lo && value <= hi,
            std::string("model spec: ") + field + " = " + std::to_string(value) + " is outside [" + std::to_string(lo) +
                ", " + std::to_string(hi) + "]");
}

// YaRN fields only with YaRN, so that no caller's value is silently ignored.
void check_rope_scaling(const llcuda_model_spec &s) {
    const int32_t type = s.rope_scaling;
    if (type < LLCUDA_ROPE_SCALING_NONE || type > LLCUDA_ROPE_SCALING_LONGROPE) {
        fail(LLCUDA_ERR_UNSUPPORTED, "model spec: unknown rope_scaling " + std::to_string(type) +
                                         " (none 0, linear 1, yarn 2, llama3 3, longrope 4)");
    }
    require_finite("rope_attn_factor", s.rope_attn_factor, 1e-3f, 1e3f);
    if (type == LLCUDA_ROPE_SCALING_LONGROPE) {
        check_range("rope_orig_ctx", s.rope_orig_ctx, 1, kMaxContext);
        require(s.yarn_ext_factor == 0.0f, "model spec: yarn_ext_factor " + std::to_string(s.yarn_ext_factor) +
                                               " must be 0 with LongRoPE scaling");
        return;
    }
    if (type != LLCUDA_ROPE_SCALING_YARN) {
        require(s.rope_orig_ctx == 0 && s.yarn_ext_factor == 0.0f,
                "model spec: rope_orig_ctx " + std::to_string(s.rope_orig_ctx) + " and yarn_ext_factor " +
                    std::to_string(s.yarn_ext_factor) + " must be 0 without YaRN or LongRoPE scaling");
        return;
    }
    check_range("rope_orig_ctx", s.rope_orig_ctx, 1, kMaxContext);
    require_finite("yarn_ext_factor", s.yarn_ext_factor, 0.0f, 1.0f);
    require_finite("yarn_beta_fast", s.yarn_beta_fast, 1e-3f, 1e6f);
    require_finite("yarn_beta_slow", s.yarn_beta_slow, 1e-3f, 1e6f);
}

void check_non_negative(const char *field, float value) {
    require(std::isfinite(value) && value >= 0.0f,
            std::string("model spec: ") + field + " " + std::to_string(value) + " must be finite and >= 0");
}

void check_family_parameters(const llcuda_model_spec &s) {
    check_non_negative("attn_scale", s.attn_scale);
    check_non_negative("attn_softcap", s.attn_softcap);
    check_non_negative("final_softcap", s.final_softcap);
    check_non_negative("embd_scale", s.embd_scale);
    check_non_negative("rope_theta_sliding", s.rope_theta_sliding);
    check_non_negative("rope_freq_scale_sliding", s.rope_freq_scale_sliding);
    check_range("sliding_window", s.sliding_window, 0, kMaxContext);
    check_range("sliding_pattern", s.sliding_pattern, 0, kMaxLayers);
}

// Experts only where the architecture's layer has them (llama: optional; qwen3moe: required).
void check_experts(const llcuda_model_spec &s) {
    const bool allowed = s.arch == LLCUDA_ARCH_LLAMA || s.arch == LLCUDA_ARCH_QWEN3MOE;
    check_range("n_expert", s.n_expert, s.arch == LLCUDA_ARCH_QWEN3MOE ? 1 : 0, allowed ? 4096 : 0);
    check_range("n_expert_used", s.n_expert_used, s.n_expert > 0 ? 1 : 0, s.n_expert);
    check_range("n_ff_expert", s.n_ff_expert, 0, s.n_expert > 0 ? kMaxDim : 0);
}

void check_hyper_parameters(const llcuda_model_spec &s) {
    require(s.arch >= LLCUDA_ARCH_LLAMA && s.arch <= LLCUDA_ARCH_QWEN3MOE,
            "model spec: unknown architecture " + std::to_string(s.arch));
    if (s.arch == LLCUDA_ARCH_BERT || s.arch == LLCUDA_ARCH_NOMIC_BERT) {
        check_range("pooling_type (MEAN 1, CLS 2, LAST 3)", s.pooling_type, LLCUDA_POOLING_MEAN, LLCUDA_POOLING_LAST);
    } else {
        require(s.pooling_type == LLCUDA_POOLING_NONE, "model spec: pooling_type " + std::to_string(s.pooling_type) +
                                                           " is for encoder architectures; decoders take NONE (0)");
    }
    check_range("n_vocab", s.n_vocab, 1, kMaxDim);
    check_range("n_embd", s.n_embd, 1, kMaxDim);
    check_range("n_layer", s.n_layer, 1, kMaxLayers);
    check_range("n_head", s.n_head, 1, 4096);
    check_range("n_head_kv", s.n_head_kv, 1, s.n_head);
    require(s.n_head % s.n_head_kv == 0, "model spec: n_head " + std::to_string(s.n_head) +
                                             " is not a multiple of n_head_kv " + std::to_string(s.n_head_kv));
    check_range("head_dim", s.head_dim, 2, 1024);
    require(s.head_dim % 2 == 0, "model spec: head_dim " + std::to_string(s.head_dim) + " is odd");
    check_range("n_head * head_dim", static_cast<int64_t>(s.n_head) * s.head_dim, 1, kMaxDim);
    check_range("n_ff", s.n_ff, 1, kMaxDim);
    check_range("n_ctx", s.n_ctx, 1, kMaxContext);
    require(s.rope_type == LLCUDA_ROPE_NORMAL || s.rope_type == LLCUDA_ROPE_NEOX,
            "model spec: unknown rope_type " + std::to_string(s.rope_type));
    check_range("rope_dim", s.rope_dim, 2, s.head_dim);
    require(s.rope_dim % 2 == 0, "model spec: rope_dim " + std::to_string(s.rope_dim) + " is odd");
    require(std::isfinite(s.rope_theta) && s.rope_theta > 0.0f,
            "model spec: rope_theta " + std::to_string(s.rope_theta) + " must be finite and positive");
    require(std::isfinite(s.rope_freq_scale) && s.rope_freq_scale > 0.0f,
            "model spec: rope_freq_scale " + std::to_string(s.rope_freq_scale) + " must be finite and positive");
    require(std::isfinite(s.rms_eps) && s.rms_eps >= 0.0f,
            "model spec: rms_eps " + std::to_string(s.rms_eps) + " must be finite and >= 0");
    check_rope_scaling(s);
    check_range("n_tensors", s.n_tensors, 1, 1 << 20);
    require(s.tensors != nullptr, "model spec: tensors is NULL");
    check_family_parameters(s);
    check_experts(s);
}

}  // namespace

std::string shape_text(const int64_t *ne, int n_dims) {
    std::string text = "[";
    for (int i = 0; i < n_dims; ++i) text += (i ? ", " : "") + std::to_string(ne[i]);
    return text + "]";
}

TensorRef read_descriptor(const llcuda_tensor_desc &d, int32_t index, const ModelFile &file,
                          const std::string &context) {
    TensorRef t;
    require(d.name != nullptr, context + ": tensor #" + std::to_string(index) + " has no name");
    t.name = d.name;
    const std::string where = "tensor '" + t.name + "'";
    check_range((where + " n_dims").c_str(), d.n_dims, 1, 4);
    for (int i = 0; i < 4; ++i) {
        const int64_t ne = i < d.n_dims ? d.ne[i] : 1;
        require(ne >= 1 && ne <= (int64_t{1} << 32), context + ": " + where + " dimension " + std::to_string(i) +
                                                         " = " + std::to_string(ne) + " is outside [1, 2^32]");
        t.ne[i] = ne;
    }
    t.type = d.type;
    t.n_dims = d.n_dims;
    t.offset = d.offset;
    t.size = d.size;
    require(d.offset <= file.size() && d.size <= file.size() - d.offset,
            context + ": " + where + " at offset " + std::to_string(d.offset) + " with " + std::to_string(d.size) +
                " bytes lies beyond the end of '" + file.path() + "' (" + std::to_string(file.size()) + " bytes)");
    return t;
}

void check_layout(const TensorRef &t, const int64_t want[3], int want_dims, const std::string &where) {
    const TypeTraits *traits = type_traits(t.type);
    if (traits == nullptr) {
        fail(LLCUDA_ERR_UNSUPPORTED,
             where + " has type " + ggml_type_name(t.type) + ", which the engine does not support");
    }
    const bool same = t.ne[0] == want[0] && t.ne[1] == want[1] && t.ne[2] == want[2] && t.ne[3] == 1;
    require(same, where + " has shape " + shape_text(t.ne, t.n_dims) + ", expected " + shape_text(want, want_dims));
    require(t.ne[0] % traits->block_size == 0, where + ": row length " + std::to_string(t.ne[0]) +
                                                   " is not a multiple of the " + traits->name + " block size " +
                                                   std::to_string(traits->block_size));
    const uint64_t expected = row_bytes(t.type, t.ne[0]) * static_cast<uint64_t>(t.rows());
    require(t.size == expected, where + " has " + std::to_string(t.size) + " bytes, but " + traits->name + " " +
                                    shape_text(t.ne, t.n_dims) + " needs " + std::to_string(expected));
}

namespace {

class TensorTable {
  public:
    TensorTable(const llcuda_model_spec &s, const ModelFile &file) {
        for (int32_t i = 0; i < s.n_tensors; ++i) {
            TensorRef t = read_descriptor(s.tensors[i], i, file, "model spec");
            const std::string name = t.name;
            require(by_name_.emplace(name, std::move(t)).second, "model spec: tensor '" + name + "' appears twice");
        }
    }

    // The tensor `name` checked as `kind` with dims {ne0, ne1}; absent optional ones stay empty.
    TensorRef get(const std::string &name, Kind kind, int64_t ne0, int64_t ne1, bool required = true) const {
        return get_shaped(name, kind, ne0, ne1, 1, required);
    }

    // Stacked expert matrices {ne0, ne1, n_expert}.
    TensorRef get_experts(const std::string &name, int64_t ne0, int64_t ne1, int64_t n_expert) const {
        return get_shaped(name, Kind::Matrix, ne0, ne1, n_expert, true);
    }

    // An optional matrix of rows of `ne0` elements, any number of rows (bert's token types).
    TensorRef get_rows(const std::string &name, int64_t ne0) const {
        const auto it = by_name_.find(name);
        return it == by_name_.end() ? TensorRef{} : get(name, Kind::Matrix, ne0, it->second.ne[1]);
    }

  private:
    TensorRef get_shaped(const std::string &name, Kind kind, int64_t ne0, int64_t ne1, int64_t ne2,
                         bool required) const {
        const auto it = by_name_.find(name);
        if (it == by_name_.end()) {
            require(!required, "model spec: required tensor '" + name + "' is missing");
            return TensorRef{};
        }
        const TensorRef &t = it->second;
        const std::string where = "model spec: tensor '" + name + "'";
        if (kind == Kind::Vector && type_traits(t.type) != nullptr) {
            require(t.type == LLCUDA_TYPE_F32, where + " must be F32, not " + type_traits(t.type)->name);
        }
        const int64_t want[3] = {ne0, kind == Kind::Vector ? 1 : ne1, ne2};
        check_layout(t, want, kind == Kind::Vector ? 1 : ne2 > 1 ? 3 : 2, where);
        return t;
    }

    std::map<std::string, TensorRef> by_name_;
};

// The per-pair RoPE divisors, each a finite positive number since it divides a frequency. llama3's
// rope_freqs.weight is required with LLAMA3 scaling and applied whenever present (as llama.cpp does);
// LongRoPE takes rope_factors_long.weight when the run's context exceeds the original one, else
// rope_factors_short.weight (llama.cpp's choice, made once per context, not per position). Read
// here, once: they are hyper-parameters of the RoPE tables, not weights a backend holds.
std::vector<float> rope_freq_factors(const TensorTable &table, const ModelSpec &m, const ModelFile &file) {
    const bool longrope = m.rope_scaling == LLCUDA_ROPE_SCALING_LONGROPE;
    const std::string name = !longrope                   ? "rope_freqs.weight"
                             : m.n_ctx > m.rope_orig_ctx ? "rope_factors_long.weight"
                                                         : "rope_factors_short.weight";
    const bool required = longrope || m.rope_scaling == LLCUDA_ROPE_SCALING_LLAMA3;
    const TensorRef t = table.get(name, Kind::Vector, m.rope_dim / 2, 1, required);
    std::vector<float> factors;
    if (!t.present()) return factors;
    factors.resize(static_cast<size_t>(t.cols()));
    file.read(t.offset, factors.size() * sizeof(float), reinterpret_cast<uint8_t *>(factors.data()),
              "tensor '" + name + "'");
    for (size_t i = 0; i < factors.size(); ++i) {
        require(std::isfinite(factors[i]) && factors[i] > 0.0f,
                "model spec: tensor '" + name + "' value " + std::to_string(i) + " = " + std::to_string(factors[i]) +
                    " is not a positive finite number");
    }
    return factors;
}

// Rows [first, first + count) of matrix `t` as a matrix of their own: one part of a fused projection,
// whose rows lie one after another in the file.
TensorRef row_slice(const TensorRef &t, int64_t first, int64_t count, const char *part) {
    TensorRef slice = t;
    slice.name = t.name + "[" + part + "]";
    const uint64_t bytes_per_row = row_bytes(t.type, t.ne[0]);
    slice.ne[1] = count;
    slice.offset = t.offset + bytes_per_row * static_cast<uint64_t>(first);
    slice.size = bytes_per_row * static_cast<uint64_t>(count);
    return slice;
}

// phi3's projections as llama.cpp reads them: q, k and v from one attn_qkv (its rows in that order)
// or three tensors, and the FFN's gate and up halves from one ffn_up of 2 * n_ff rows (gate first).
void read_phi3_projections(const TensorTable &table, const std::string &p, const ModelSpec &m, LayerTensors &l) {
    const int64_t embd = m.n_embd, q_dim = m.q_dim(), kv_dim = m.kv_dim(), ff = m.n_ff;
    const TensorRef qkv = table.get(p + "attn_qkv.weight", Kind::Matrix, embd, q_dim + 2 * kv_dim, false);
    if (qkv.present()) {
        l.wq = row_slice(qkv, 0, q_dim, "q");
        l.wk = row_slice(qkv, q_dim, kv_dim, "k");
        l.wv = row_slice(qkv, q_dim + kv_dim, kv_dim, "v");
    } else {
        l.wq = table.get(p + "attn_q.weight", Kind::Matrix, embd, q_dim);
        l.wk = table.get(p + "attn_k.weight", Kind::Matrix, embd, kv_dim);
        l.wv = table.get(p + "attn_v.weight", Kind::Matrix, embd, kv_dim);
    }
    const TensorRef gate_up = table.get(p + "ffn_up.weight", Kind::Matrix, embd, 2 * ff);
    l.ffn_gate = row_slice(gate_up, 0, ff, "gate");
    l.ffn_up = row_slice(gate_up, ff, ff, "up");
}

// bert's and nomic-bert's tensors as llama.cpp's converter names them; optional biases as llama.cpp
// treats them. nomic-bert has no position table (RoPE), a fused QKV projection and a SwiGLU gate.
void read_bert_tensors(const TensorTable &table, ModelSpec &m) {
    const int64_t embd = m.n_embd, q_dim = m.q_dim(), kv_dim = m.kv_dim(), ff = m.n_ff;
    const bool nomic = m.arch == LLCUDA_ARCH_NOMIC_BERT;
    if (!nomic) m.position_embd = table.get("position_embd.weight", Kind::Matrix, embd, m.n_ctx);
    m.token_types = table.get_rows("token_types.weight", embd);
    m.token_embd_norm = table.get("token_embd_norm.weight", Kind::Vector, embd, 1);
    m.token_embd_norm_b = table.get("token_embd_norm.bias", Kind::Vector, embd, 1);
    m.layers.resize(static_cast<size_t>(m.n_layer));
    for (int32_t i = 0; i < m.n_layer; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        LayerTensors &l = m.layers[static_cast<size_t>(i)];
        if (nomic) {
            l.wqkv = table.get(p + "attn_qkv.weight", Kind::Matrix, embd, q_dim + 2 * kv_dim);
            l.bqkv = table.get(p + "attn_qkv.bias", Kind::Vector, q_dim + 2 * kv_dim, 1, false);
            l.ffn_gate = table.get(p + "ffn_gate.weight", Kind::Matrix, embd, ff);
        } else {
            l.wq = table.get(p + "attn_q.weight", Kind::Matrix, embd, q_dim);
            l.wk = table.get(p + "attn_k.weight", Kind::Matrix, embd, kv_dim);
            l.wv = table.get(p + "attn_v.weight", Kind::Matrix, embd, kv_dim);
            l.bq = table.get(p + "attn_q.bias", Kind::Vector, q_dim, 1, false);
            l.bk = table.get(p + "attn_k.bias", Kind::Vector, kv_dim, 1, false);
            l.bv = table.get(p + "attn_v.bias", Kind::Vector, kv_dim, 1, false);
        }
        l.wo = table.get(p + "attn_output.weight", Kind::Matrix, q_dim, embd);
        l.bo = table.get(p + "attn_output.bias", Kind::Vector, embd, 1, false);
        l.attn_output_norm = table.get(p + "attn_output_norm.weight", Kind::Vector, embd, 1);
        l.attn_output_norm_b = table.get(p + "attn_output_norm.bias", Kind::Vector, embd, 1);
        l.ffn_up = table.get(p + "ffn_up.weight", Kind::Matrix, embd, ff);
        // llama.cpp applies FFN biases to bert only; nomic-bert's SwiGLU has none.
        if (!nomic) l.ffn_up_b = table.get(p + "ffn_up.bias", Kind::Vector, ff, 1, false);
        l.ffn_down = table.get(p + "ffn_down.weight", Kind::Matrix, ff, embd);
        if (!nomic) l.ffn_down_b = table.get(p + "ffn_down.bias", Kind::Vector, embd, 1, false);
        l.layer_output_norm = table.get(p + "layer_output_norm.weight", Kind::Vector, embd, 1);
        l.layer_output_norm_b = table.get(p + "layer_output_norm.bias", Kind::Vector, embd, 1);
    }
}

}  // namespace

ModelSpec build_model_spec(const llcuda_model_spec &s, const ModelFile &file) {
    check_hyper_parameters(s);
    const TensorTable table(s, file);

    ModelSpec m;
    m.arch = s.arch;
    m.n_vocab = s.n_vocab;
    m.n_embd = s.n_embd;
    m.n_layer = s.n_layer;
    m.n_head = s.n_head;
    m.n_head_kv = s.n_head_kv;
    m.head_dim = s.head_dim;
    m.n_ff = s.n_ff;
    m.n_ctx = s.n_ctx;
    m.rope_type = s.rope_type;
    m.rope_dim = s.rope_dim;
    m.rope_theta = s.rope_theta;
    m.rope_freq_scale = s.rope_freq_scale;
    m.rms_eps = s.rms_eps;
    m.rope_scaling = s.rope_scaling;
    m.rope_orig_ctx = s.rope_orig_ctx;
    m.yarn_ext_factor = s.yarn_ext_factor;
    m.yarn_beta_fast = s.yarn_beta_fast;
    m.yarn_beta_slow = s.yarn_beta_slow;
    m.rope_attn_factor = s.rope_attn_factor;
    m.attn_scale = s.attn_scale;
    m.attn_softcap = s.attn_softcap;
    m.final_softcap = s.final_softcap;
    m.embd_scale = s.embd_scale > 0.0f ? s.embd_scale : 1.0f;
    m.sliding_window = s.sliding_window;
    m.sliding_pattern = s.sliding_pattern;
    m.rope_theta_sliding = s.rope_theta_sliding > 0.0f ? s.rope_theta_sliding : m.rope_theta;
    m.rope_freq_scale_sliding = s.rope_freq_scale_sliding > 0.0f ? s.rope_freq_scale_sliding : m.rope_freq_scale;
    const bool gemma = m.arch == LLCUDA_ARCH_GEMMA2 || m.arch == LLCUDA_ARCH_GEMMA3;
    m.qk_norm = m.arch == LLCUDA_ARCH_QWEN3 || m.arch == LLCUDA_ARCH_GEMMA3 || m.arch == LLCUDA_ARCH_QWEN3MOE;
    m.post_norms = gemma;
    m.gelu_ffn = gemma;
    m.pooling_type = s.pooling_type;
    m.n_expert = s.n_expert;
    m.n_expert_used = s.n_expert_used;
    m.n_ff_expert = s.n_expert > 0 && s.n_ff_expert == 0 ? s.n_ff : s.n_ff_expert;
    if (m.is_encoder()) {
        m.token_embd = table.get("token_embd.weight", Kind::Matrix, m.n_embd, m.n_vocab);
        read_bert_tensors(table, m);
        return m;
    }

    const int64_t embd = m.n_embd, q_dim = m.q_dim(), kv_dim = m.kv_dim(), ff = m.n_ff;
    m.token_embd = table.get("token_embd.weight", Kind::Matrix, embd, m.n_vocab);
    m.output_norm = table.get("output_norm.weight", Kind::Vector, embd, 1);
    m.output = table.get("output.weight", Kind::Matrix, embd, m.n_vocab, false);
    if (!m.output.present()) m.output = m.token_embd;  // tied embeddings
    m.rope_factors = rope_freq_factors(table, m, file);
    const bool biases = m.arch == LLCUDA_ARCH_QWEN2;
    m.layers.resize(static_cast<size_t>(m.n_layer));
    for (int32_t i = 0; i < m.n_layer; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        LayerTensors &l = m.layers[static_cast<size_t>(i)];
        l.attn_norm = table.get(p + "attn_norm.weight", Kind::Vector, embd, 1);
        if (m.arch == LLCUDA_ARCH_PHI3) {
            read_phi3_projections(table, p, m, l);
        } else {
            l.wq = table.get(p + "attn_q.weight", Kind::Matrix, embd, q_dim);
            l.wk = table.get(p + "attn_k.weight", Kind::Matrix, embd, kv_dim);
            l.wv = table.get(p + "attn_v.weight", Kind::Matrix, embd, kv_dim);
        }
        if (m.n_expert > 0) {  // as llama.cpp's converter stacks Mixtral's and Qwen3-MoE's experts
            const int64_t n = m.n_expert, eff = m.n_ff_expert;
            l.ffn_gate_inp = table.get(p + "ffn_gate_inp.weight", Kind::Matrix, embd, n);
            l.ffn_gate_exps = table.get_experts(p + "ffn_gate_exps.weight", embd, eff, n);
            l.ffn_up_exps = table.get_experts(p + "ffn_up_exps.weight", embd, eff, n);
            l.ffn_down_exps = table.get_experts(p + "ffn_down_exps.weight", eff, embd, n);
        } else {
            if (m.arch != LLCUDA_ARCH_PHI3) {  // phi3's gate and up come from its fused ffn_up
                l.ffn_gate = table.get(p + "ffn_gate.weight", Kind::Matrix, embd, ff);
                l.ffn_up = table.get(p + "ffn_up.weight", Kind::Matrix, embd, ff);
            }
            l.ffn_down = table.get(p + "ffn_down.weight", Kind::Matrix, ff, embd);
        }
        l.wo = table.get(p + "attn_output.weight", Kind::Matrix, q_dim, embd);
        // qwen2 requires q/k/v biases; llama files that carry them get them applied too.
        l.bq = table.get(p + "attn_q.bias", Kind::Vector, q_dim, 1, biases);
        l.bk = table.get(p + "attn_k.bias", Kind::Vector, kv_dim, 1, biases);
        l.bv = table.get(p + "attn_v.bias", Kind::Vector, kv_dim, 1, biases);
        l.ffn_norm = table.get(p + "ffn_norm.weight", Kind::Vector, embd, 1);
        if (m.qk_norm) {
            l.attn_q_norm = table.get(p + "attn_q_norm.weight", Kind::Vector, m.head_dim, 1);
            l.attn_k_norm = table.get(p + "attn_k_norm.weight", Kind::Vector, m.head_dim, 1);
        }
        if (m.post_norms) {
            l.attn_post_norm = table.get(p + "post_attention_norm.weight", Kind::Vector, embd, 1);
            l.ffn_post_norm = table.get(p + "post_ffw_norm.weight", Kind::Vector, embd, 1);
        }
    }
    return m;
}

namespace {
// Calls `visit` with every present tensor of layer `l`.
template <typename Layer, typename Visit>
void visit_layer_tensors(Layer &l, Visit visit) {
    for (auto *t : {&l.attn_norm,
                    &l.wq,
                    &l.wk,
                    &l.wv,
                    &l.wo,
                    &l.bq,
                    &l.bk,
                    &l.bv,
                    &l.ffn_norm,
                    &l.ffn_gate,
                    &l.ffn_up,
                    &l.ffn_down,
                    &l.attn_q_norm,
                    &l.attn_k_norm,
                    &l.attn_post_norm,
                    &l.ffn_post_norm,
                    &l.bo,
                    &l.ffn_up_b,
                    &l.ffn_down_b,
                    &l.attn_output_norm,
                    &l.attn_output_norm_b,
                    &l.layer_output_norm,
                    &l.layer_output_norm_b,
                    &l.wqkv,
                    &l.bqkv,
                    &l.ffn_gate_inp,
                    &l.ffn_gate_exps,
                    &l.ffn_up_exps,
                    &l.ffn_down_exps})
        if (t->present()) visit(t);
}

// Calls `visit` with every present tensor of `m` (ModelSpec or const ModelSpec).
template <typename Spec, typename Visit>
void visit_tensors(Spec &m, Visit visit) {
    for (auto *t : {&m.token_embd, &m.output_norm, &m.output, &m.position_embd, &m.token_types, &m.token_embd_norm,
                    &m.token_embd_norm_b})
        if (t->present()) visit(t);
    for (auto &l : m.layers) visit_layer_tensors(l, visit);
}
}  // namespace

std::vector<TensorRef *> ModelSpec::tensors() {
    std::vector<TensorRef *> all;
    visit_tensors(*this, [&](TensorRef *t) { all.push_back(t); });
    return all;
}

std::vector<const TensorRef *> ModelSpec::distinct_tensors() const {
    std::vector<const TensorRef *> distinct;
    std::unordered_set<uint64_t> seen;
    visit_tensors(*this, [&](const TensorRef *t) {
        if (seen.insert(t->offset).second) distinct.push_back(t);
    });
    return distinct;
}

uint64_t ModelSpec::layer_bytes(int32_t layer) const {
    uint64_t bytes = 0;
    visit_layer_tensors(layers.at(static_cast<size_t>(layer)), [&](const TensorRef *t) { bytes += t->size; });
    return bytes;
}

}  // namespace llcuda
