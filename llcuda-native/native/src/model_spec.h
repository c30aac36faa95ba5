// The validated C++ view of llcuda_model_spec: hyper-parameters and the tensors each layer uses,
// every one checked for type, shape and file bounds before any backend touches its bytes.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "llcuda.h"

namespace llcuda {

class ModelFile;

struct TensorRef {
    std::string name;
    int32_t type = -1;
    int32_t n_dims = 0;
    int64_t ne[4] = {1, 1, 1, 1};
    uint64_t offset = 0;            // absolute file offset
    uint64_t size = 0;              // bytes
    const uint8_t *data = nullptr;  // into the backend's host copy, once it read the weights
    bool present() const { return !name.empty(); }
    int64_t rows() const { return ne[1] * ne[2] * ne[3]; }
    int64_t cols() const { return ne[0]; }
};

struct LayerTensors {
    TensorRef attn_norm;                      // [n_embd] F32
    TensorRef wq, wk, wv, wo;                 // [n_embd, n_head*head_dim], [n_embd, n_head_kv*head_dim] ...
    TensorRef bq, bk, bv;                     // qwen2 biases (absent for llama)
    TensorRef ffn_norm;                       // [n_embd] F32
    TensorRef ffn_gate, ffn_up;               // [n_embd, n_ff]
    TensorRef ffn_down;                       // [n_ff, n_embd]
    TensorRef attn_q_norm, attn_k_norm;       // [head_dim] F32, per-head RMSNorm (qwen3, gemma3)
    TensorRef attn_post_norm, ffn_post_norm;  // [n_embd] F32, norms of each block's output (gemma)
    // bert: output and FFN biases (optional), post-LayerNorms after attention and after the FFN
    TensorRef bo, ffn_up_b, ffn_down_b;
    TensorRef wqkv, bqkv;  // nomic-bert: fused [n_embd, 3 * n_embd] projection (q, k, v rows) and its bias
    TensorRef attn_output_norm, attn_output_norm_b, layer_output_norm, layer_output_norm_b;
    // Mixture of experts: the router [n_embd, n_expert] and every expert's matrices stacked along ne[2].
    TensorRef ffn_gate_inp, ffn_gate_exps, ffn_up_exps, ffn_down_exps;
};

// Expert `e` of stacked expert matrices (ne[2] = experts) as a matrix of its own, data included.
inline TensorRef expert_matrix(const TensorRef &stacked, int64_t e, uint64_t matrix_bytes) {
    TensorRef m = stacked;
    m.ne[2] = 1;
    m.offset += matrix_bytes * static_cast<uint64_t>(e);
    m.size = matrix_bytes;
    if (m.data != nullptr) m.data += matrix_bytes * static_cast<uint64_t>(e);
    return m;
}

struct ModelSpec {
    int32_t arch = LLCUDA_ARCH_LLAMA;
    int32_t n_vocab = 0, n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0, head_dim = 0;
    int32_t n_ff = 0, n_ctx = 0, rope_type = LLCUDA_ROPE_NORMAL, rope_dim = 0;
    float rope_theta = 10000.0f, rope_freq_scale = 1.0f, rms_eps = 1e-5f;
    int32_t rope_scaling = LLCUDA_ROPE_SCALING_NONE, rope_orig_ctx = 0;
    float yarn_ext_factor = 0.0f, yarn_beta_fast = 32.0f, yarn_beta_slow = 1.0f, rope_attn_factor = 1.0f;
    // llama3's per-pair frequency divisors, read from rope_freqs.weight at load ([rope_dim / 2]); empty when absent.
    std::vector<float> rope_factors;
    // Model families (see llcuda_model_spec); attn_scale 0 means 1 / sqrt(head_dim).
    float attn_scale = 0.0f, attn_softcap = 0.0f, final_softcap = 0.0f, embd_scale = 1.0f;
    int32_t sliding_window = 0, sliding_pattern = 0;
    float rope_theta_sliding = 10000.0f, rope_freq_scale_sliding = 1.0f;
    // What the architecture's layer computes beyond llama's.
    bool qk_norm = false;     // RMSNorm of each q and k head before RoPE
    bool post_norms = false;  // attn_post_norm / ffn_post_norm on each block's output (gemma)
    bool gelu_ffn = false;    // GELU(tanh) instead of SiLU on the gate
    int32_t pooling_type = LLCUDA_POOLING_NONE;
    int32_t n_expert = 0, n_expert_used = 0, n_ff_expert = 0;  // n_ff_expert resolved (never 0 with experts)

    TensorRef token_embd;   // [n_embd, n_vocab]
    TensorRef output_norm;  // [n_embd] F32
    TensorRef output;       // [n_embd, n_vocab]; equals token_embd when the file ties them
    std::vector<LayerTensors> layers;
    // bert: absolute positions [n_embd, n_ctx], token types [n_embd, n] (type 0 used, optional),
    // the LayerNorm of the summed input embeddings
    TensorRef position_embd, token_types, token_embd_norm, token_embd_norm_b;

    bool is_encoder() const { return arch == LLCUDA_ARCH_BERT || arch == LLCUDA_ARCH_NOMIC_BERT; }

    int32_t q_dim() const { return n_head * head_dim; }
    int32_t kv_dim() const { return n_head_kv * head_dim; }

    // Every present tensor, a tied output included (it shares token_embd's offset).
    std::vector<TensorRef *> tensors();
    // The present tensors with distinct file offsets: the bytes a backend must hold.
    std::vector<const TensorRef *> distinct_tensors() const;
    // Bytes of the tensors of one layer.
    uint64_t layer_bytes(int32_t layer) const;
    float query_scale() const {
        return attn_scale > 0.0f ? attn_scale : 1.0f / std::sqrt(static_cast<float>(head_dim));
    }
    bool layer_slides(int32_t layer) const {
        return sliding_window > 0 && (sliding_pattern == 0 || layer % sliding_pattern < sliding_pattern - 1);
    }
    // The first position a query at `pos` of `layer` attends to.
    int32_t first_visible(int32_t layer, int32_t pos) const {
        return layer_slides(layer) && pos >= sliding_window ? pos - sliding_window + 1 : 0;
    }
};

// Copies and validates `spec` against `file` (types supported, shapes consistent with the
// hyper-parameters, every tensor inside the file). Throws llcuda::Error naming the tensor. The
// tensors' data pointers stay null until a backend reads their bytes.
ModelSpec build_model_spec(const llcuda_model_spec &spec, const ModelFile &file);

// "[ne0, ne1, ...]" of the first n_dims dimensions.
std::string shape_text(const int64_t *ne, int n_dims);
// Copies one caller descriptor, checking its dims and that offset + size lies inside `file`;
// errors start with `context` ("model spec", an adapter's name).
TensorRef read_descriptor(const llcuda_tensor_desc &d, int32_t index, const ModelFile &file,
                          const std::string &context);
// Checks a tensor of a supported type has dims `want` (ne0, ne1, ne2; want_dims of them shown), whole
// blocks per row and exactly the bytes that takes; errors start with `where`.
void check_layout(const TensorRef &t, const int64_t want[3], int want_dims, const std::string &where);

}  // namespace llcuda
