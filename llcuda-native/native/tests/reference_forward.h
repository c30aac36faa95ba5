// Test-only: the float64 forward pass of a llama-architecture GGUF model (NORMAL RoPE, GQA,
// SwiGLU, no biases) on its dequantized weights: the exact reference that engine logits are
// compared with for models the tests write themselves (llcuda-synth mixes).
#pragma once

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "quants.h"
#include "test_gguf.h"

namespace test_reference {

// A tensor of the file dequantized to double; rows of `cols`.
struct Matrix {
    int64_t cols = 0, rows = 0;
    std::vector<double> w;

    std::vector<double> times(const std::vector<double> &x) const {
        std::vector<double> y(static_cast<size_t>(rows), 0.0);
        for (int64_t r = 0; r < rows; ++r) {
            const double *row = w.data() + r * cols;
            double sum = 0;
            for (int64_t c = 0; c < cols; ++c) sum += row[c] * x[static_cast<size_t>(c)];
            y[static_cast<size_t>(r)] = sum;
        }
        return y;
    }
};

class LlamaReference {
  public:
    LlamaReference(const std::string &path, const test_gguf::Model &model) : spec_(model.spec) {
        FILE *f = std::fopen(path.c_str(), "rb");
        if (f == nullptr) throw std::runtime_error("cannot open " + path);
        std::fseek(f, 0, SEEK_END);
        file_.resize(static_cast<size_t>(std::ftell(f)));
        std::fseek(f, 0, SEEK_SET);
        const size_t got = std::fread(file_.data(), 1, file_.size(), f);
        std::fclose(f);
        if (got != file_.size()) throw std::runtime_error("short read " + path);
        embd_ = matrix(model, "token_embd.weight");
        out_norm_ = matrix(model, "output_norm.weight");
        out_ = matrix(model, "output.weight");
        for (int l = 0; l < spec_.n_layer; ++l) {
            const std::string p = "blk." + std::to_string(l) + ".";
            layers_.push_back({matrix(model, p + "attn_norm.weight"), matrix(model, p + "attn_q.weight"),
                               matrix(model, p + "attn_k.weight"), matrix(model, p + "attn_v.weight"),
                               matrix(model, p + "attn_output.weight"), matrix(model, p + "ffn_norm.weight"),
                               matrix(model, p + "ffn_gate.weight"), matrix(model, p + "ffn_up.weight"),
                               matrix(model, p + "ffn_down.weight")});
        }
    }

    // Logits after each token of one sequence starting at position 0.
    std::vector<std::vector<double>> logits(const std::vector<int32_t> &tokens) const {
        const int64_t E = spec_.n_embd, hd = spec_.head_dim, H = spec_.n_head, Hkv = spec_.n_head_kv;
        std::vector<std::vector<std::vector<double>>> keys(layers_.size()), values(layers_.size());
        std::vector<std::vector<double>> out;
        for (size_t p = 0; p < tokens.size(); ++p) {
            std::vector<double> x(embd_.w.begin() + tokens[p] * E, embd_.w.begin() + (tokens[p] + 1) * E);
            for (size_t l = 0; l < layers_.size(); ++l) {
                const Layer &L = layers_[l];
                const std::vector<double> h = rms_norm(x, L.attn_norm);
                std::vector<double> q = L.q.times(h), k = L.k.times(h);
                rope(q, H, static_cast<int>(p));
                rope(k, Hkv, static_cast<int>(p));
                keys[l].push_back(k);
                values[l].push_back(L.v.times(h));
                std::vector<double> attn(static_cast<size_t>(E), 0.0);
                for (int64_t head = 0; head < H; ++head) {
                    const int64_t g = head / (H / Hkv);
                    std::vector<double> scores(p + 1);
                    double max_score = -INFINITY;
                    for (size_t s = 0; s <= p; ++s) {
                        double dot = 0;
                        for (int64_t i = 0; i < hd; ++i) dot += q[head * hd + i] * keys[l][s][g * hd + i];
                        scores[s] = dot / std::sqrt(static_cast<double>(hd));
                        max_score = std::max(max_score, scores[s]);
                    }
                    double total = 0;
                    for (double &sc : scores) total += (sc = std::exp(sc - max_score));
                    for (size_t s = 0; s <= p; ++s) {
                        for (int64_t i = 0; i < hd; ++i)
                            attn[head * hd + i] += scores[s] / total * values[l][s][g * hd + i];
                    }
                }
                add(x, L.o.times(attn));
                const std::vector<double> h2 = rms_norm(x, L.ffn_norm);
                const std::vector<double> gate = L.gate.times(h2), up = L.up.times(h2);
                std::vector<double> act(gate.size());
                for (size_t i = 0; i < act.size(); ++i) act[i] = gate[i] / (1.0 + std::exp(-gate[i])) * up[i];
                add(x, L.down.times(act));
            }
            out.push_back(out_.times(rms_norm(x, out_norm_)));
        }
        return out;
    }

  private:
    struct Layer {
        Matrix attn_norm, q, k, v, o, ffn_norm, gate, up, down;
    };

    Matrix matrix(const test_gguf::Model &model, const std::string &name) const {
        for (size_t i = 0; i < model.names.size(); ++i) {
            if (model.names[i] != name) continue;
            const llcuda_tensor_desc &d = model.tensors[i];
            Matrix m{d.ne[0], d.ne[1] * d.ne[2] * d.ne[3], {}};
            std::vector<float> f(static_cast<size_t>(m.cols * m.rows));
            llcuda::dequantize_row(d.type, file_.data() + d.offset, f.data(), static_cast<int64_t>(f.size()));
            m.w.assign(f.begin(), f.end());
            return m;
        }
        throw std::runtime_error("reference: missing tensor " + name);
    }

    std::vector<double> rms_norm(const std::vector<double> &x, const Matrix &weight) const {
        double sum = 0;
        for (double v : x) sum += v * v;
        const double scale = 1.0 / std::sqrt(sum / static_cast<double>(x.size()) + spec_.rms_eps);
        std::vector<double> y(x.size());
        for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * scale * weight.w[i];
        return y;
    }

    // NORMAL RoPE: pairs (2i, 2i + 1) of the first rope_dim dimensions of each head.
    void rope(std::vector<double> &v, int64_t heads, int pos) const {
        for (int64_t h = 0; h < heads; ++h) {
            for (int i = 0; i < spec_.rope_dim / 2; ++i) {
                const double angle = pos * std::pow(static_cast<double>(spec_.rope_theta), -2.0 * i / spec_.rope_dim);
                double &a = v[h * spec_.head_dim + 2 * i], &b = v[h * spec_.head_dim + 2 * i + 1];
                const double a0 = a, b0 = b;
                a = a0 * std::cos(angle) - b0 * std::sin(angle);
                b = a0 * std::sin(angle) + b0 * std::cos(angle);
            }
        }
    }

    static void add(std::vector<double> &x, const std::vector<double> &y) {
        for (size_t i = 0; i < x.size(); ++i) x[i] += y[i];
    }

    llcuda_model_spec spec_;
    std::vector<uint8_t> file_;
    Matrix embd_, out_norm_, out_;
    std::vector<Layer> layers_;
};

}  // namespace test_reference
