// Test-only: micro models of F32 random weights written to a raw file with their llcuda_model_spec,
// and their logits computed in float64 straight from the definitions (RMSNorm, RoPE as llama.cpp
// defines linear, llama3 and YaRN scaling, causal GQA attention, SwiGLU) - written here
// independently of the library's code, as the exact reference of the whole forward pass.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "half.h"
#include "llcuda.h"

namespace reference_model {

struct Config {
    std::string name;
    int32_t arch = LLCUDA_ARCH_LLAMA;  // qwen2: q/k/v biases and NEOX pairs
    int32_t n_embd = 0, n_layer = 1, n_head = 0, n_head_kv = 0, head_dim = 0, n_ff = 0, n_vocab = 0, n_ctx = 0;
    int32_t rope_dim = 0;  // 0: head_dim
    double theta = 10000.0;
    int32_t scaling = LLCUDA_ROPE_SCALING_NONE;
    double factor = 1.0;                     // linear / YaRN / llama3 context factor
    int32_t orig_ctx = 0;                    // YaRN and llama3: the original context
    double low_freq = 1.0, high_freq = 4.0;  // llama3
    double attn_factor = 1.0;
};

struct Model {
    Config cfg;
    std::string path;
    std::vector<std::string> names;
    std::vector<llcuda_tensor_desc> tensors;
    std::vector<std::vector<float>> data;  // same order as names
    llcuda_model_spec spec{};
    const std::vector<float> &get(const std::string &name) const {
        for (size_t i = 0; i < names.size(); ++i)
            if (names[i] == name) return data[i];
        throw std::runtime_error("reference model: no tensor " + name);
    }
    bool has(const std::string &name) const { return std::find(names.begin(), names.end(), name) != names.end(); }
};

inline double rope_base_freq(const Config &c, int32_t p) {
    return std::pow(c.theta, -2.0 * p / c.rope_dim);
}

// The llama3 divisors as llama.cpp's converter computes them from the Hugging Face rope_scaling:
// 1 for wavelengths below original_context / high_freq, the factor above original_context / low_freq,
// and a smooth blend between.
inline std::vector<float> llama3_factors(const Config &c) {
    std::vector<float> out;
    const double low_wavelen = c.orig_ctx / c.low_freq, high_wavelen = c.orig_ctx / c.high_freq;
    for (int32_t p = 0; p < c.rope_dim / 2; ++p) {
        const double wavelen = 2.0 * M_PI / rope_base_freq(c, p);
        if (wavelen < high_wavelen)
            out.push_back(1.0f);
        else if (wavelen > low_wavelen)
            out.push_back(static_cast<float>(c.factor));
        else {
            const double smooth = (c.orig_ctx / wavelen - c.low_freq) / (c.high_freq - c.low_freq);
            out.push_back(static_cast<float>(1.0 / ((1.0 - smooth) / c.factor + smooth)));
        }
    }
    return out;
}

inline Model write(Config c, const std::string &path, uint64_t seed) {
    if (c.rope_dim == 0) c.rope_dim = c.head_dim;
    Model m;
    m.cfg = c;
    m.path = path;
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    FILE *f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) throw std::runtime_error("cannot write " + path);
    uint64_t offset = 0;
    auto add = [&](const std::string &name, int64_t ne0, int64_t ne1, std::vector<float> w) {
        std::fwrite(w.data(), 4, w.size(), f);
        m.tensors.push_back(
            llcuda_tensor_desc{nullptr, LLCUDA_TYPE_F32, ne1 == 1 ? 1 : 2, {ne0, ne1, 1, 1}, offset, w.size() * 4});
        offset += w.size() * 4;
        m.names.push_back(name);
        m.data.push_back(std::move(w));
    };
    auto random = [&](int64_t n, float sigma, float center) {
        std::vector<float> w(static_cast<size_t>(n));
        for (float &v : w) v = center + sigma * dist(rng);
        return w;
    };
    const int64_t E = c.n_embd, QD = int64_t{c.n_head} * c.head_dim, KVD = int64_t{c.n_head_kv} * c.head_dim;
    const float wsig = 1.0f / std::sqrt(static_cast<float>(E));
    add("token_embd.weight", E, c.n_vocab, random(E * c.n_vocab, 1.0f, 0.0f));
    add("output_norm.weight", E, 1, random(E, 0.1f, 1.0f));
    add("output.weight", E, c.n_vocab, random(E * c.n_vocab, wsig, 0.0f));
    if (c.scaling == LLCUDA_ROPE_SCALING_LLAMA3) add("rope_freqs.weight", c.rope_dim / 2, 1, llama3_factors(c));
    for (int32_t l = 0; l < c.n_layer; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        add(p + "attn_norm.weight", E, 1, random(E, 0.1f, 1.0f));
        // Q and K weights large enough that attention is far from uniform (RoPE errors show).
        add(p + "attn_q.weight", E, QD, random(E * QD, 3.0f * wsig, 0.0f));
        add(p + "attn_k.weight", E, KVD, random(E * KVD, 3.0f * wsig, 0.0f));
        add(p + "attn_v.weight", E, KVD, random(E * KVD, wsig, 0.0f));
        if (c.arch == LLCUDA_ARCH_QWEN2) {
            add(p + "attn_q.bias", QD, 1, random(QD, 0.5f, 0.0f));
            add(p + "attn_k.bias", KVD, 1, random(KVD, 0.5f, 0.0f));
            add(p + "attn_v.bias", KVD, 1, random(KVD, 0.5f, 0.0f));
        }
        add(p + "attn_output.weight", QD, E, random(QD * E, 1.0f / std::sqrt(static_cast<float>(QD)), 0.0f));
        add(p + "ffn_norm.weight", E, 1, random(E, 0.1f, 1.0f));
        add(p + "ffn_gate.weight", E, c.n_ff, random(E * c.n_ff, wsig, 0.0f));
        add(p + "ffn_up.weight", E, c.n_ff, random(E * c.n_ff, wsig, 0.0f));
        add(p + "ffn_down.weight", c.n_ff, E, random(c.n_ff * E, 1.0f / std::sqrt(static_cast<float>(c.n_ff)), 0.0f));
    }
    std::fclose(f);
    for (size_t i = 0; i < m.tensors.size(); ++i) m.tensors[i].name = m.names[i].c_str();
    llcuda_model_spec &s = m.spec;
    s.arch = c.arch;
    s.n_vocab = c.n_vocab;
    s.n_embd = c.n_embd;
    s.n_layer = c.n_layer;
    s.n_head = c.n_head;
    s.n_head_kv = c.n_head_kv;
    s.head_dim = c.head_dim;
    s.n_ff = c.n_ff;
    s.n_ctx = c.n_ctx;
    s.rope_type = c.arch == LLCUDA_ARCH_QWEN2 ? LLCUDA_ROPE_NEOX : LLCUDA_ROPE_NORMAL;
    s.rope_dim = c.rope_dim;
    s.rope_theta = static_cast<float>(c.theta);
    const bool stretches = c.scaling == LLCUDA_ROPE_SCALING_LINEAR || c.scaling == LLCUDA_ROPE_SCALING_YARN;
    s.rope_freq_scale = stretches ? static_cast<float>(1.0 / c.factor) : 1.0f;
    s.rms_eps = 1e-5f;
    s.n_tensors = static_cast<int32_t>(m.tensors.size());
    s.tensors = m.tensors.data();
    s.rope_scaling = c.scaling;
    s.rope_orig_ctx = c.scaling == LLCUDA_ROPE_SCALING_YARN ? c.orig_ctx : 0;
    s.yarn_ext_factor = c.scaling == LLCUDA_ROPE_SCALING_YARN ? 1.0f : 0.0f;
    s.yarn_beta_fast = 32.0f;
    s.yarn_beta_slow = 1.0f;
    s.rope_attn_factor = static_cast<float>(c.attn_factor);
    return m;
}

// cos and sin of pair p at position pos, as llama.cpp's rope defines them: theta_extrap =
// pos * base^(-2p/d) / factor_p, theta_interp = theta_extrap / scaling factor; YaRN blends the two
// by a ramp over the correction pairs and scales the magnitude by 1 + 0.1 ln(factor).
inline void rope_cos_sin(const Model &m, int32_t pos, int32_t p, double &c, double &s) {
    const Config &cfg = m.cfg;
    double divisor = 1.0;
    if (cfg.scaling == LLCUDA_ROPE_SCALING_LLAMA3) divisor = m.get("rope_freqs.weight")[static_cast<size_t>(p)];
    const double extrap = pos * rope_base_freq(cfg, p) / divisor;
    double theta = extrap, mscale = static_cast<float>(cfg.attn_factor);  // as the file stores it
    if (cfg.scaling == LLCUDA_ROPE_SCALING_LINEAR) theta = extrap / cfg.factor;
    if (cfg.scaling == LLCUDA_ROPE_SCALING_YARN) {
        auto corr = [&](double rotations) {
            return cfg.rope_dim * std::log(cfg.orig_ctx / (rotations * 2 * M_PI)) / (2 * std::log(cfg.theta));
        };
        const double low = std::max(0.0, std::floor(corr(32.0))),
                     high = std::min(cfg.rope_dim - 1.0, std::ceil(corr(1.0)));
        const double y = (p - low) / std::max(0.001, high - low);
        const double ramp = 1.0 - std::min(1.0, std::max(0.0, y));
        theta = extrap / cfg.factor * (1.0 - ramp) + extrap * ramp;
        if (cfg.factor > 1.0) mscale *= 1.0 + 0.1 * std::log(cfg.factor);
    }
    c = std::cos(theta) * mscale;
    s = std::sin(theta) * mscale;
}

// How the KV cache keeps K (rotated) and V: exactly (the CPU backend's F32), rounded to FP16, or as
// Q8_0 blocks of 32 values of a row (scale max|x|/127 in FP16, values rounded on it), widened back
// to FP16 as the CUDA attention reads them.
enum class KvStore { Exact, F16, Q8_0 };

inline double half_round(double v) {
    return llcuda::fp16_to_fp32(llcuda::fp32_to_fp16(static_cast<float>(v)));
}

inline void store_kv(std::vector<double> &row, KvStore how) {
    if (how == KvStore::F16) {
        for (double &v : row) v = half_round(v);
    } else if (how == KvStore::Q8_0) {
        for (size_t b = 0; b + 32 <= row.size(); b += 32) {
            float amax = 0.0f;
            for (size_t i = b; i < b + 32; ++i) amax = std::max(amax, std::fabs(static_cast<float>(row[i])));
            const float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
            const float scale = llcuda::fp16_to_fp32(llcuda::fp32_to_fp16(amax / 127.0f));
            for (size_t i = b; i < b + 32; ++i)
                row[i] = half_round(scale * std::nearbyint(static_cast<float>(row[i]) * inv));
        }
    }
}

// Logits of every position of one sequence of `tokens` (positions 0, 1, ...).
inline std::vector<std::vector<double>> logits(const Model &m, const std::vector<int32_t> &tokens,
                                               KvStore kv = KvStore::Exact) {
    const Config &c = m.cfg;
    const int64_t T = static_cast<int64_t>(tokens.size()), E = c.n_embd, D = c.head_dim;
    const int64_t QD = c.n_head * D, KVD = c.n_head_kv * D, F = c.n_ff;
    const bool neox = c.arch == LLCUDA_ARCH_QWEN2;
    auto matvec = [](const std::vector<float> &w, const std::vector<double> &x, int64_t rows, int64_t cols) {
        std::vector<double> y(static_cast<size_t>(rows), 0.0);
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t k = 0; k < cols; ++k) y[r] += static_cast<double>(w[r * cols + k]) * x[k];
        return y;
    };
    auto norm = [&](const std::vector<double> &x, const std::vector<float> &w) {
        double ss = 0;
        for (double v : x) ss += v * v;
        const double scale = 1.0 / std::sqrt(ss / x.size() + 1e-5);
        std::vector<double> y(x.size());
        for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * scale * w[i];
        return y;
    };
    auto rotate = [&](double *head, int32_t pos) {
        const int32_t half = c.rope_dim / 2;
        for (int32_t p = 0; p < half; ++p) {
            double cs, sn;
            rope_cos_sin(m, pos, p, cs, sn);
            double &a = neox ? head[p] : head[2 * p];
            double &b = neox ? head[p + half] : head[2 * p + 1];
            const double x0 = a, x1 = b;
            a = x0 * cs - x1 * sn;
            b = x0 * sn + x1 * cs;
        }
    };
    std::vector<std::vector<double>> x(static_cast<size_t>(T));
    const std::vector<float> &embd = m.get("token_embd.weight");
    for (int64_t t = 0; t < T; ++t) x[t].assign(embd.begin() + tokens[t] * E, embd.begin() + (tokens[t] + 1) * E);
    for (int32_t l = 0; l < c.n_layer; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        std::vector<std::vector<double>> q(T), k(T), v(T);
        for (int64_t t = 0; t < T; ++t) {
            const std::vector<double> xn = norm(x[t], m.get(p + "attn_norm.weight"));
            q[t] = matvec(m.get(p + "attn_q.weight"), xn, QD, E);
            k[t] = matvec(m.get(p + "attn_k.weight"), xn, KVD, E);
            v[t] = matvec(m.get(p + "attn_v.weight"), xn, KVD, E);
            if (c.arch == LLCUDA_ARCH_QWEN2) {
                for (int64_t i = 0; i < QD; ++i) q[t][i] += m.get(p + "attn_q.bias")[i];
                for (int64_t i = 0; i < KVD; ++i)
                    k[t][i] += m.get(p + "attn_k.bias")[i], v[t][i] += m.get(p + "attn_v.bias")[i];
            }
            for (int32_t h = 0; h < c.n_head; ++h) rotate(&q[t][h * D], static_cast<int32_t>(t));
            for (int32_t h = 0; h < c.n_head_kv; ++h) rotate(&k[t][h * D], static_cast<int32_t>(t));
            store_kv(k[t], kv);
            store_kv(v[t], kv);
        }
        for (int64_t t = 0; t < T; ++t) {
            std::vector<double> att(static_cast<size_t>(QD), 0.0);
            for (int32_t h = 0; h < c.n_head; ++h) {
                const int64_t kvo = (h / (c.n_head / c.n_head_kv)) * D;
                std::vector<double> score(static_cast<size_t>(t + 1));
                double mx = -1e300, sum = 0;
                for (int64_t j = 0; j <= t; ++j) {
                    double d = 0;
                    for (int64_t i = 0; i < D; ++i) d += q[t][h * D + i] * k[j][kvo + i];
                    score[j] = d / std::sqrt(static_cast<double>(D));
                    mx = std::max(mx, score[j]);
                }
                for (int64_t j = 0; j <= t; ++j) sum += (score[j] = std::exp(score[j] - mx));
                for (int64_t j = 0; j <= t; ++j)
                    for (int64_t i = 0; i < D; ++i) att[h * D + i] += score[j] / sum * v[j][kvo + i];
            }
            const std::vector<double> o = matvec(m.get(p + "attn_output.weight"), att, E, QD);
            for (int64_t i = 0; i < E; ++i) x[t][i] += o[i];
            const std::vector<double> xn = norm(x[t], m.get(p + "ffn_norm.weight"));
            std::vector<double> g = matvec(m.get(p + "ffn_gate.weight"), xn, F, E);
            const std::vector<double> u = matvec(m.get(p + "ffn_up.weight"), xn, F, E);
            for (int64_t i = 0; i < F; ++i) g[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
            const std::vector<double> d = matvec(m.get(p + "ffn_down.weight"), g, E, F);
            for (int64_t i = 0; i < E; ++i) x[t][i] += d[i];
        }
    }
    std::vector<std::vector<double>> out(static_cast<size_t>(T));
    for (int64_t t = 0; t < T; ++t)
        out[t] = matvec(m.get("output.weight"), norm(x[t], m.get("output_norm.weight")), c.n_vocab, E);
    return out;
}

// The micro models the CPU and CUDA tests run: RoPE scaling at positions beyond a small original
// context, and head sizes the CUDA kernels instantiate.
inline std::vector<Config> configs() {
    std::vector<Config> out;
    Config llama3{"llama3 rope_freqs (32 pairs, factor 32, original context 24)",
                  LLCUDA_ARCH_LLAMA,
                  128,
                  2,
                  8,
                  2,
                  64,
                  192,
                  64,
                  96};
    llama3.theta = 500000.0;
    llama3.scaling = LLCUDA_ROPE_SCALING_LLAMA3;
    llama3.factor = 32.0;
    llama3.orig_ctx = 24;
    out.push_back(llama3);
    Config yarn{"qwen2 YaRN (factor 4, original context 24)", LLCUDA_ARCH_QWEN2, 128, 2, 4, 1, 64, 192, 64, 96};
    yarn.theta = 1000000.0;
    yarn.scaling = LLCUDA_ROPE_SCALING_YARN;
    yarn.factor = 4.0;
    yarn.orig_ctx = 24;
    out.push_back(yarn);
    Config linear{"linear RoPE scaling x2 with attn_factor 0.9", LLCUDA_ARCH_LLAMA, 128, 1, 2, 2, 64, 128, 64, 96};
    linear.scaling = LLCUDA_ROPE_SCALING_LINEAR;
    linear.factor = 2.0;
    linear.attn_factor = 0.9;
    out.push_back(linear);
    for (int32_t d : {80, 96, 112, 256}) {
        Config h{"head size " + std::to_string(d), LLCUDA_ARCH_LLAMA, 2 * d, 1, 4, 2, d, 4 * d, 64, 64};
        out.push_back(h);
    }
    return out;
}

}  // namespace reference_model
