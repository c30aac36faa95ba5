// Test-only: the model families' (llama, qwen2, qwen3, gemma2, gemma3, phi3, mixture-of-experts llama
// and qwen3moe) forward pass in float64 from
// the dequantized weights, written from llama.cpp's graphs and independent of the backends' code;
// and a writer of micro family models with random F32 weights (family-model.h's layout). Both test
// programs compare whole-model logits with it.
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "family-model.h"
#include "gguf-file.h"
#include "half.h"
#include "llcuda.h"

namespace family_reference {

using Matrix = std::vector<double>;  // row-major [rows][cols], cols = GGUF ne[0]

class Reference {
  public:
    // `spec` is the ABI spec the backends get (model_spec_from_gguf of `file`).
    Reference(const llcuda::tools::GgufFile &file, const llcuda_model_spec &spec) : spec_(spec) {
        std::vector<uint8_t> bytes;
        for (const llcuda::tools::GgufTensor &t : file.tensors()) {
            FILE *f = std::fopen(file.path().c_str(), "rb");
            if (f == nullptr) throw std::runtime_error("cannot open " + file.path());
            bytes.resize(t.size);
            std::fseek(f, static_cast<long>(t.offset), SEEK_SET);
            const size_t got = std::fread(bytes.data(), 1, bytes.size(), f);
            std::fclose(f);
            const int64_t n = t.ne[0] * t.ne[1] * t.ne[2] * t.ne[3];
            std::vector<float> values(static_cast<size_t>(n));
            if (got != bytes.size() ||
                llcuda_dequantize(t.type, bytes.data(), bytes.size(), n, values.data()) != LLCUDA_OK)
                throw std::runtime_error("cannot dequantize " + t.name);
            weights_[t.name] = Matrix(values.begin(), values.end());
        }
    }

    // Logits [n_tokens][n_vocab] of one sequence at positions 0..n-1. `window` < 0 keeps the model's
    // sliding window; 0 switches it off (to show that the window changes the result). `f16_kv` keeps
    // K (rotated) and V rounded to FP16, as the CUDA cache does: without a QK norm (llama) the
    // attention scores are large enough that this rounding alone moves the logits by up to ~1e-2.
    std::vector<std::vector<double>> logits(const std::vector<int32_t> &tokens, int32_t window = -1,
                                            bool f16_kv = false) const {
        const llcuda_model_spec &s = spec_;
        const int64_t T = static_cast<int64_t>(tokens.size()), E = s.n_embd, D = s.head_dim;
        const int64_t QD = int64_t{s.n_head} * D, KVD = int64_t{s.n_head_kv} * D;
        const bool gemma = s.arch == LLCUDA_ARCH_GEMMA2 || s.arch == LLCUDA_ARCH_GEMMA3;
        const bool qk_norm =
            s.arch == LLCUDA_ARCH_QWEN3 || s.arch == LLCUDA_ARCH_GEMMA3 || s.arch == LLCUDA_ARCH_QWEN3MOE;
        const int32_t win = window < 0 ? s.sliding_window : window;
        const double scale = s.attn_scale > 0 ? s.attn_scale : 1.0 / std::sqrt(static_cast<double>(D));
        const Matrix &embd = w("token_embd.weight");
        std::vector<Matrix> x(static_cast<size_t>(T));
        for (int64_t t = 0; t < T; ++t) {
            x[t].assign(embd.begin() + tokens[t] * E, embd.begin() + (tokens[t] + 1) * E);
            if (s.embd_scale > 0)
                for (double &v : x[t]) v *= s.embd_scale;
        }
        for (int32_t il = 0; il < s.n_layer; ++il) {
            const std::string p = "blk." + std::to_string(il) + ".";
            const bool slides = win > 0 && (s.sliding_pattern == 0 || il % s.sliding_pattern < s.sliding_pattern - 1);
            const double theta = slides && s.rope_theta_sliding > 0 ? s.rope_theta_sliding : s.rope_theta;
            const double freq_scale =
                slides && s.rope_freq_scale_sliding > 0 ? s.rope_freq_scale_sliding : s.rope_freq_scale;
            std::vector<Matrix> q(T), k(T), v(T), out(T);
            for (int64_t t = 0; t < T; ++t) {
                const Matrix h = norm(x[t], w(p + "attn_norm.weight"));
                if (weights_.count(p + "attn_qkv.weight")) {  // phi3: q, k, v rows of one projection
                    const Matrix qkv = matvec(p + "attn_qkv", h);
                    q[t].assign(qkv.begin(), qkv.begin() + QD);
                    k[t].assign(qkv.begin() + QD, qkv.begin() + QD + KVD);
                    v[t].assign(qkv.begin() + QD + KVD, qkv.end());
                } else {
                    q[t] = matvec(p + "attn_q", h);
                    k[t] = matvec(p + "attn_k", h);
                    v[t] = matvec(p + "attn_v", h);
                }
                for (int64_t hd = 0; hd < QD; hd += D)
                    head(q[t], hd, qk_norm ? &w(p + "attn_q_norm.weight") : nullptr, t, theta, freq_scale);
                for (int64_t hd = 0; hd < KVD; hd += D)
                    head(k[t], hd, qk_norm ? &w(p + "attn_k_norm.weight") : nullptr, t, theta, freq_scale);
                if (f16_kv)
                    for (Matrix *row : {&k[t], &v[t]})
                        for (double &e : *row) e = llcuda::fp16_to_fp32(llcuda::fp32_to_fp16(static_cast<float>(e)));
            }
            for (int64_t t = 0; t < T; ++t) {
                Matrix att(static_cast<size_t>(QD), 0.0);
                for (int32_t h = 0; h < s.n_head; ++h) {
                    const int64_t kv = int64_t{h / (s.n_head / s.n_head_kv)} * D;
                    const int64_t first = slides ? std::max<int64_t>(0, t - win + 1) : 0;
                    std::vector<double> score;
                    double top = -INFINITY;
                    for (int64_t j = first; j <= t; ++j) {
                        double dot = 0;
                        for (int64_t d = 0; d < D; ++d) dot += q[t][h * D + d] * k[j][kv + d];
                        dot *= scale;
                        if (s.attn_softcap > 0) dot = s.attn_softcap * std::tanh(dot / s.attn_softcap);
                        score.push_back(dot);
                        top = std::max(top, dot);
                    }
                    double total = 0;
                    for (double &e : score) total += (e = std::exp(e - top));
                    for (int64_t j = first; j <= t; ++j)
                        for (int64_t d = 0; d < D; ++d) att[h * D + d] += score[j - first] / total * v[j][kv + d];
                }
                Matrix o = matvec(p + "attn_output", att);
                if (gemma) o = norm(o, w(p + "post_attention_norm.weight"));
                for (int64_t i = 0; i < E; ++i) x[t][i] += o[i];
                const Matrix h = norm(x[t], w(p + "ffn_norm.weight"));
                if (s.n_expert > 0) {
                    const Matrix f = experts(p, h);
                    for (int64_t i = 0; i < E; ++i) x[t][i] += f[i];
                    continue;
                }
                Matrix gate, up;
                if (weights_.count(p + "ffn_gate.weight")) {
                    gate = matvec(p + "ffn_gate", h);
                    up = matvec(p + "ffn_up", h);
                } else {  // phi3: ffn_up holds the gate rows, then the up rows
                    const Matrix both = matvec(p + "ffn_up", h);
                    gate.assign(both.begin(), both.begin() + s.n_ff);
                    up.assign(both.begin() + s.n_ff, both.end());
                }
                for (size_t i = 0; i < gate.size(); ++i) {
                    const double g = gate[i];
                    const double act =
                        gemma ? 0.5 * g * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (g + 0.044715 * g * g * g)))
                              : g / (1.0 + std::exp(-g));
                    gate[i] = act * up[i];
                }
                Matrix f = matvec(p + "ffn_down", gate);
                if (gemma) f = norm(f, w(p + "post_ffw_norm.weight"));
                for (int64_t i = 0; i < E; ++i) x[t][i] += f[i];
            }
        }
        const std::string output = weights_.count("output.weight") ? "output" : "token_embd";
        std::vector<std::vector<double>> logits;
        for (int64_t t = 0; t < T; ++t) {
            Matrix l = matvec(output, norm(x[t], w("output_norm.weight")));
            if (s.final_softcap > 0)
                for (double &e : l) e = s.final_softcap * std::tanh(e / s.final_softcap);
            logits.push_back(l);
        }
        return logits;
    }

  private:
    // The mixture of experts of llama.cpp's build_moe_ffn (softmax gating, top n_expert_used,
    // weights renormalised): sum of p_e / sum(p) * down_e(silu(gate_e h) * up_e h).
    Matrix experts(const std::string &p, const Matrix &h) const {
        const int64_t E = spec_.n_embd, F = spec_.n_ff_expert > 0 ? spec_.n_ff_expert : spec_.n_ff;
        std::vector<double> prob = matvec(p + "ffn_gate_inp", h);
        const double top = *std::max_element(prob.begin(), prob.end());
        double total = 0;
        for (double &e : prob) total += (e = std::exp(e - top));
        std::vector<int> order(prob.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return prob[a] > prob[b]; });
        double chosen = 0;
        for (int k = 0; k < spec_.n_expert_used; ++k) chosen += prob[order[k]] / total;
        Matrix out(static_cast<size_t>(E), 0.0);
        for (int k = 0; k < spec_.n_expert_used; ++k) {
            const int e = order[k];
            Matrix gate = rows(p + "ffn_gate_exps.weight", e * F, F, h);
            const Matrix up = rows(p + "ffn_up_exps.weight", e * F, F, h);
            for (int64_t i = 0; i < F; ++i) gate[i] = gate[i] / (1.0 + std::exp(-gate[i])) * up[i];
            const Matrix down = rows(p + "ffn_down_exps.weight", e * E, E, gate);
            for (int64_t i = 0; i < E; ++i) out[i] += prob[e] / total / chosen * down[i];
        }
        return out;
    }

    // Rows [first, first + n) of the matrix `name` times `in`.
    Matrix rows(const std::string &name, int64_t first, int64_t n, const Matrix &in) const {
        const Matrix &m = w(name);
        const size_t cols = in.size();
        Matrix y(static_cast<size_t>(n), 0.0);
        for (int64_t r = 0; r < n; ++r)
            for (size_t c = 0; c < cols; ++c) y[r] += m[(first + r) * cols + c] * in[c];
        return y;
    }

    const Matrix &w(const std::string &name) const {
        const auto it = weights_.find(name);
        if (it == weights_.end()) throw std::runtime_error("reference: tensor " + name + " missing");
        return it->second;
    }

    // W x (+ bias when the file has one) for the tensor `stem`.weight of [out][in].
    Matrix matvec(const std::string &stem, const Matrix &in) const {
        const Matrix &m = w(stem + ".weight");
        const size_t cols = in.size(), rows = m.size() / cols;
        Matrix y(rows, 0.0);
        for (size_t r = 0; r < rows; ++r) {
            double sum = 0;
            for (size_t c = 0; c < cols; ++c) sum += m[r * cols + c] * in[c];
            y[r] = sum;
        }
        const auto bias = weights_.find(stem + ".bias");
        if (bias != weights_.end())
            for (size_t r = 0; r < rows; ++r) y[r] += bias->second[r];
        return y;
    }

    Matrix norm(const Matrix &x, const Matrix &weight, size_t offset = 0, size_t n = 0) const {
        if (n == 0) n = x.size();
        double sum = 0;
        for (size_t i = 0; i < n; ++i) sum += x[offset + i] * x[offset + i];
        const double inv = 1.0 / std::sqrt(sum / static_cast<double>(n) + spec_.rms_eps);
        Matrix y(n);
        for (size_t i = 0; i < n; ++i) y[i] = x[offset + i] * inv * weight[i];
        return y;
    }

    // Per-head RMSNorm (when the layer has it), then RoPE, of the head at `offset` of `v`.
    void head(Matrix &v, int64_t offset, const Matrix *head_norm, int64_t pos, double theta, double freq_scale) const {
        const int64_t D = spec_.head_dim, R = spec_.rope_dim;
        if (head_norm != nullptr) {
            const Matrix y = norm(v, *head_norm, static_cast<size_t>(offset), static_cast<size_t>(D));
            std::copy(y.begin(), y.end(), v.begin() + offset);
        }
        // LongRoPE (phi3): divisors chosen by the run's context, cos and sin times the attention factor.
        const Matrix *divisors = nullptr;
        if (spec_.rope_scaling == LLCUDA_ROPE_SCALING_LONGROPE)
            divisors = &w(spec_.n_ctx > spec_.rope_orig_ctx ? "rope_factors_long.weight" : "rope_factors_short.weight");
        const double magnitude = spec_.rope_attn_factor > 0 ? spec_.rope_attn_factor : 1.0;
        for (int64_t i = 0; i < R / 2; ++i) {
            const double angle = static_cast<double>(pos) * freq_scale * std::pow(theta, -2.0 * i / R) /
                                 (divisors ? (*divisors)[i] : 1.0);
            const bool neox = spec_.rope_type == LLCUDA_ROPE_NEOX;
            double &a = v[offset + (neox ? i : 2 * i)];
            double &b = v[offset + (neox ? i + R / 2 : 2 * i + 1)];
            const double x0 = a, x1 = b;
            a = magnitude * (x0 * std::cos(angle) - x1 * std::sin(angle));
            b = magnitude * (x0 * std::sin(angle) + x1 * std::cos(angle));
        }
    }

    llcuda_model_spec spec_;
    std::map<std::string, Matrix> weights_;
};

// Writes the micro model `shape` with n_vocab tokens (no tokenizer) and random F32 weights: norms
// 1 +- 0.1 (as the gemma converter's stored 1 + w), matrices N(0, sigma); fixed tensors (LongRoPE's
// factors) as the shape gives them.
inline void write_micro_model(const llcuda::tools::FamilyShape &shape, int64_t n_vocab, const std::string &path,
                              std::mt19937_64 &rng, float sigma = 0.3f) {
    llcuda::tools::GgufWriter w;
    llcuda::tools::add_family_metadata(w, shape);
    const std::vector<llcuda::tools::FamilyTensor> tensors = llcuda::tools::family_tensors(shape, n_vocab);
    for (const auto &t : tensors) w.add_tensor(t.name, LLCUDA_TYPE_F32, t.ne);
    w.begin(path);
    for (const auto &t : tensors) {
        int64_t n = 1;
        for (int64_t d : t.ne) n *= d;
        std::normal_distribution<float> dist(t.norm ? 1.0f : 0.0f, t.norm ? 0.1f : sigma);
        std::vector<float> values = t.values;
        if (values.empty()) {
            values.resize(static_cast<size_t>(n));
            for (float &v : values) v = dist(rng);
        }
        w.write_tensor_data(values.data(), values.size() * sizeof(float));
    }
    w.finish();
}

}  // namespace family_reference
