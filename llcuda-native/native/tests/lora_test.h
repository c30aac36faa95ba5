// Test-only: LoRA adapters over reference_model.h's micro models. Adapters of random low-rank pairs
// (F32, F16, Q8_0; several ranks, alphas and user scales, different projections) are written to a raw
// file with their llcuda_adapter_spec; the float64 reference is the model with each targeted weight
// replaced by W + scale * B A of the adapter's dequantized tensors. Checked: each adapter alone
// against that reference, a batch mixing several adapters and the base model against each sequence
// run alone, and adapter specs that do not fit the model refused naming the tensor.
#pragma once
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "llcuda.h"
#include "reference_model.h"

namespace lora_test {

using Check = std::function<void(bool, const std::string &)>;

constexpr const char *kTargets[] = {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"};

struct AdapterPlan {
    std::string name;
    int32_t type;
    int32_t rank;
    float alpha, user_scale;
    std::vector<std::string> targets;  // "blk.N.attn_q", ...
};

// One adapter written to its own file: descriptors for the ABI and decoded A/B for the reference.
struct Adapter {
    AdapterPlan plan;
    std::string path;
    std::vector<std::string> names;
    std::vector<llcuda_tensor_desc> tensors;
    std::vector<std::vector<float>> decoded;  // same order as names
    llcuda_adapter_spec spec{};
    ~Adapter() { if (!path.empty()) std::remove(path.c_str()); }
    Adapter() = default;
    Adapter(const Adapter &) = delete;
    Adapter &operator=(const Adapter &) = delete;
    float scale() const { return plan.alpha != 0.0f ? plan.user_scale * plan.alpha / plan.rank : plan.user_scale; }
};

// ne of base tensor "blk.N.P.weight" in `m` (cols, rows).
inline void base_shape(const reference_model::Model &m, const std::string &base, int64_t &cols, int64_t &rows) {
    for (size_t i = 0; i < m.names.size(); ++i) {
        if (m.names[i] == base) {
            cols = m.tensors[i].ne[0];
            rows = m.tensors[i].ne[1];
            return;
        }
    }
    throw std::runtime_error("lora test: no base tensor " + base);
}

inline void write_adapter(const reference_model::Model &m, const AdapterPlan &plan, const std::string &path, std::mt19937_64 &rng,
                          Adapter &out) {
    out.plan = plan;
    out.path = path;
    FILE *f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) throw std::runtime_error("cannot write " + path);
    uint64_t offset = 0;
    auto add = [&](const std::string &name, int64_t ne0, int64_t ne1, float sigma) {
        std::normal_distribution<float> dist(0.0f, sigma);
        std::vector<float> values(static_cast<size_t>(ne0 * ne1));
        for (float &v : values) v = dist(rng);
        std::vector<uint8_t> data(values.size() * 4 + 64);
        uint64_t written = 0, total = 0;
        for (int64_t r = 0; r < ne1; ++r) {
            if (llcuda_quantize(plan.type, &values[r * ne0], ne0, data.data() + total, data.size() - total, &written) != LLCUDA_OK)
                throw std::runtime_error(std::string("lora test: quantize ") + llcuda_last_error());
            total += written;
        }
        std::vector<float> decoded(values.size());
        if (llcuda_dequantize(plan.type, data.data(), total, ne0 * ne1, decoded.data()) != LLCUDA_OK)
            throw std::runtime_error(std::string("lora test: dequantize ") + llcuda_last_error());
        std::fwrite(data.data(), 1, total, f);
        out.tensors.push_back(llcuda_tensor_desc{nullptr, plan.type, 2, {ne0, ne1, 1, 1}, offset, total});
        offset += total;
        out.names.push_back(name);
        out.decoded.push_back(std::move(decoded));
    };
    for (const std::string &target : plan.targets) {
        int64_t cols = 0, rows = 0;
        base_shape(m, target + ".weight", cols, rows);
        // A x of unit size, scale * B A x about half of W x: the adapter changes the logits far
        // beyond rounding without swamping the base model.
        add(target + ".weight.lora_a", cols, plan.rank, 1.0f / std::sqrt(static_cast<float>(cols)));
        add(target + ".weight.lora_b", plan.rank, rows, 0.5f / std::sqrt(static_cast<float>(plan.rank)) / std::fabs(out.scale()));
    }
    std::fclose(f);
    for (size_t i = 0; i < out.tensors.size(); ++i) out.tensors[i].name = out.names[i].c_str();
    out.spec = llcuda_adapter_spec{plan.alpha, plan.user_scale, static_cast<int32_t>(out.tensors.size()), out.tensors.data()};
}

// The base model with every targeted weight W replaced by W + scale * B A (in double, then float).
inline reference_model::Model merged(const reference_model::Model &m, const Adapter &a) {
    reference_model::Model out = m;
    for (size_t i = 0; i + 1 < a.names.size(); i += 2) {
        const std::string base = a.names[i].substr(0, a.names[i].size() - std::strlen(".lora_a"));
        int64_t cols = 0, rows = 0;
        base_shape(m, base, cols, rows);
        const std::vector<float> &A = a.decoded[i], &B = a.decoded[i + 1];
        for (size_t k = 0; k < out.names.size(); ++k) {
            if (out.names[k] != base) continue;
            for (int64_t r = 0; r < rows; ++r)
                for (int64_t c = 0; c < cols; ++c) {
                    double d = 0;
                    for (int32_t j = 0; j < a.plan.rank; ++j) d += static_cast<double>(B[r * a.plan.rank + j]) * A[j * cols + c];
                    out.data[k][r * cols + c] = static_cast<float>(out.data[k][r * cols + c] + a.scale() * d);
                }
        }
    }
    return out;
}

inline double rel_l2(const std::vector<std::vector<double>> &ref, const std::vector<std::vector<float>> &got) {
    double num = 0, den = 0;
    if (ref.size() != got.size()) return 1e9;
    for (size_t t = 0; t < ref.size(); ++t) {
        if (ref[t].size() != got[t].size()) return 1e9;
        for (size_t i = 0; i < ref[t].size(); ++i) {
            num += (got[t][i] - ref[t][i]) * (got[t][i] - ref[t][i]);
            den += ref[t][i] * ref[t][i];
        }
    }
    return std::sqrt(num / (den > 0 ? den : 1));
}

// A sequence of a mixed batch: its tokens, KV blocks and adapter index (-1: the base model).
struct Seq {
    std::vector<int32_t> tokens;
    std::vector<int32_t> blocks;
    int32_t adapter = -1;
    std::vector<std::vector<float>> logits;  // per position, filled by run()
};

// Runs the sequences together in chunks of `chunk` tokens each, every logits row returned.
inline bool run(llcuda_model *model, llcuda_kv_cache *cache, int32_t n_vocab, int32_t max_blocks, std::vector<Seq> &seqs,
                const std::vector<llcuda_adapter *> &adapters, int32_t chunk, std::string &error) {
    std::vector<int32_t> done(seqs.size(), 0);
    for (;;) {
        std::vector<int32_t> tokens, positions, ids, table, seq_adapters;
        std::vector<size_t> which;
        for (size_t s = 0; s < seqs.size(); ++s) {
            const int32_t n = std::min<int32_t>(chunk, static_cast<int32_t>(seqs[s].tokens.size()) - done[s]);
            if (n <= 0) continue;
            for (int32_t i = 0; i < n; ++i) {
                tokens.push_back(seqs[s].tokens[done[s] + i]);
                positions.push_back(done[s] + i);
                ids.push_back(static_cast<int32_t>(which.size()));
            }
            table.insert(table.end(), seqs[s].blocks.begin(), seqs[s].blocks.end());
            seq_adapters.push_back(seqs[s].adapter);
            which.push_back(s);
        }
        if (which.empty()) return true;
        std::vector<uint8_t> sample(which.size(), 0), rows(tokens.size(), 1);
        std::vector<int32_t> sampled(which.size());
        std::vector<float> logits(tokens.size() * n_vocab);
        llcuda_batch b{};
        b.n_tokens = static_cast<int32_t>(tokens.size());
        b.tokens = tokens.data();
        b.positions = positions.data();
        b.seq_ids = ids.data();
        b.n_seqs = static_cast<int32_t>(which.size());
        b.max_blocks_per_seq = max_blocks;
        b.block_tables = table.data();
        b.sample = sample.data();
        b.logits_rows = rows.data();
        b.n_adapters = static_cast<int32_t>(adapters.size());
        b.adapters = adapters.data();
        b.seq_adapters = adapters.empty() ? nullptr : seq_adapters.data();
        llcuda_step_output o{sampled.data(), nullptr, logits.data(), static_cast<int64_t>(logits.size())};
        if (llcuda_step(model, cache, &b, &o) != LLCUDA_OK) {
            error = llcuda_model_last_error(model);
            return false;
        }
        size_t row = 0;
        for (size_t k = 0; k < which.size(); ++k) {
            const size_t s = which[k];
            const int32_t n = std::min<int32_t>(chunk, static_cast<int32_t>(seqs[s].tokens.size()) - done[s]);
            for (int32_t i = 0; i < n; ++i, ++row) {
                seqs[s].logits.emplace_back(logits.begin() + row * n_vocab, logits.begin() + (row + 1) * n_vocab);
            }
            done[s] += n;
        }
    }
}

// The adapters of one model: every projection of every layer (F32), attention only in layer 0 with
// no alpha (F16), the FFN with rank 32 (Q8_0, whole blocks).
inline std::vector<AdapterPlan> plans(const reference_model::Config &cfg) {
    std::vector<std::string> all, attention, ffn;
    for (int32_t l = 0; l < cfg.n_layer; ++l) {
        for (int i = 0; i < 7; ++i) {
            const std::string name = "blk." + std::to_string(l) + "." + kTargets[i];
            all.push_back(name);
            (i < 4 ? attention : ffn).push_back(name);
        }
    }
    attention.resize(4);
    return {{"F32 rank 8, alpha 16, every projection", LLCUDA_TYPE_F32, 8, 16.0f, 1.0f, all},
            {"F16 rank 16, no alpha, user scale 0.5, attention of layer 0", LLCUDA_TYPE_F16, 16, 0.0f, 0.5f, attention},
            {"Q8_0 rank 32, alpha 64, user scale 0.75, FFN", LLCUDA_TYPE_Q8_0, 32, 64.0f, 0.75f, ffn}};
}

inline double bound(int32_t type) { return type == LLCUDA_TYPE_Q8_0 ? 2e-2 : type == LLCUDA_TYPE_F16 ? 1e-3 : 5e-4; }

inline void refusals(llcuda_model *model, const reference_model::Model &m, const Adapter &good, const Check &check) {
    auto refused = [&](std::vector<llcuda_tensor_desc> tensors, float alpha, llcuda_status want, const std::string &needle,
                       const std::string &what) {
        llcuda_adapter_spec spec{alpha, 1.0f, static_cast<int32_t>(tensors.size()), tensors.data()};
        llcuda_adapter *adapter = nullptr;
        const llcuda_status st = llcuda_adapter_load(model, good.path.c_str(), &spec, &adapter);
        check(st == want && adapter == nullptr && std::string(llcuda_last_error()).find(needle) != std::string::npos,
              "lora: " + what + " (" + llcuda_last_error() + ")");
        llcuda_adapter_free(adapter);
    };
    std::vector<llcuda_tensor_desc> t = good.tensors;
    std::swap(t[0].ne[0], t[0].ne[1]);
    refused(t, 16.0f, LLCUDA_ERR_INVALID_ARGUMENT, good.names[0], "a transposed lora_a is refused naming it");
    t = good.tensors;
    t.pop_back();
    refused(t, 16.0f, LLCUDA_ERR_INVALID_ARGUMENT, "has no lora_b", "a lora_a without its lora_b is refused");
    t = good.tensors;
    const std::string norm = "blk.0.attn_norm.weight.lora_a";
    t[0].name = norm.c_str();
    refused(t, 16.0f, LLCUDA_ERR_INVALID_ARGUMENT, norm, "a tensor that is no projection's pair half is refused naming it");
    t = good.tensors;
    const std::string beyond = "blk." + std::to_string(m.cfg.n_layer) + ".attn_q.weight.lora_a";
    t[0].name = beyond.c_str();
    refused(t, 16.0f, LLCUDA_ERR_INVALID_ARGUMENT, beyond, "a layer the model does not have is refused naming the tensor");
    t = good.tensors;
    t[1].type = LLCUDA_TYPE_Q4_K;
    refused(t, 16.0f, LLCUDA_ERR_INVALID_ARGUMENT, good.names[1], "a lora_b whose rows are not whole blocks of its type is refused");
    t = good.tensors;
    t.back().size += 4;
    refused(t, 16.0f, LLCUDA_ERR_INVALID_ARGUMENT, "beyond the end", "a tensor past the end of the file is refused");
    refused(good.tensors, std::nanf(""), LLCUDA_ERR_INVALID_ARGUMENT, "alpha", "a NaN alpha is refused");
}

inline void run(std::mt19937_64 &rng, const Check &check) {
    std::vector<reference_model::Config> configs;
    for (const reference_model::Config &c : reference_model::configs())
        if (c.name.rfind("qwen2", 0) == 0 || c.name.rfind("linear", 0) == 0) configs.push_back(c);
    for (const reference_model::Config &cfg : configs) {
        const std::string stem = "/tmp/llcuda-test-lora-" + std::to_string(getpid());
        const reference_model::Model base = reference_model::write(cfg, stem + ".bin", 11);
        const std::vector<AdapterPlan> adapter_plans = plans(cfg);
        std::vector<std::unique_ptr<Adapter>> files;
        for (size_t i = 0; i < adapter_plans.size(); ++i) {
            files.push_back(std::make_unique<Adapter>());
            write_adapter(base, adapter_plans[i], stem + "-adapter" + std::to_string(i) + ".bin", rng, *files.back());
        }
        llcuda_backend *backend = nullptr;
        llcuda_model *model = nullptr;
        const bool loaded = llcuda_backend_create(LLCUDA_BACKEND_CPU, 0, 2, &backend) == LLCUDA_OK &&
                            llcuda_model_load(backend, base.path.c_str(), &base.spec, &model) == LLCUDA_OK;
        check(loaded, "lora: load " + cfg.name);
        std::vector<llcuda_adapter *> adapters;
        for (const auto &a : files) {
            llcuda_adapter *handle = nullptr;
            const bool ok = loaded && llcuda_adapter_load(model, a->path.c_str(), &a->spec, &handle) == LLCUDA_OK;
            check(ok, "lora: load adapter " + a->plan.name + (ok ? "" : std::string(": ") + llcuda_last_error()));
            uint64_t bytes = 0, want = 0;
            for (const llcuda_tensor_desc &d : a->tensors) want += d.size;
            const bool counted = ok && llcuda_adapter_bytes(handle, &bytes) == LLCUDA_OK;
            check(counted && bytes == want,
                  "lora: adapter " + a->plan.name + " reports its " + std::to_string(want) + " bytes (" + std::to_string(bytes) + ")");
            adapters.push_back(handle);
        }
        const bool ready = loaded && std::none_of(adapters.begin(), adapters.end(), [](llcuda_adapter *a) { return a == nullptr; });
        const int32_t bs = 16, per_seq = (cfg.n_ctx + bs - 1) / bs;
        const int32_t n_seqs = 5, length = 40;
        llcuda_kv_cache *cache = nullptr;
        if (ready) llcuda_kv_cache_create(model, per_seq * n_seqs, bs, LLCUDA_TYPE_F16, &cache);
        auto blocks = [&](int32_t s) {
            std::vector<int32_t> b;
            for (int32_t i = 0; i < per_seq; ++i) b.push_back(s * per_seq + i);
            return b;
        };
        std::vector<int32_t> prompt;
        for (int32_t i = 0; i < length; ++i) prompt.push_back(static_cast<int32_t>(rng() % cfg.n_vocab));
        const std::vector<std::vector<double>> base_want = reference_model::logits(base, prompt);
        std::vector<std::vector<std::vector<float>>> alone(adapter_plans.size());
        for (size_t a = 0; ready && a < files.size(); ++a) {
            const std::vector<std::vector<double>> want = reference_model::logits(merged(base, *files[a]), prompt);
            std::vector<Seq> seqs{{prompt, blocks(0), static_cast<int32_t>(a), {}}};
            std::string error;
            const bool ran = run(model, cache, cfg.n_vocab, per_seq, seqs, adapters, 16, error);
            const double err = ran ? rel_l2(want, seqs[0].logits) : 1e9;
            check(err <= bound(files[a]->plan.type), "lora: " + cfg.name + ", adapter " + files[a]->plan.name + ": " +
                                                         std::to_string(length) + " positions vs float64 W + scale B A: rel L2 " +
                                                         std::to_string(err) + " <= " + std::to_string(bound(files[a]->plan.type)) + error);
            const double moved = rel_l2(base_want, seqs[0].logits);
            check(moved > 0.05, "lora: adapter " + files[a]->plan.name + " moves the logits away from the base model's (rel L2 " +
                                    std::to_string(moved) + " > 0.05)");
            alone[a] = seqs[0].logits;
        }
        // One batch: the base model, each adapter, and the first adapter twice (one group of two
        // sequences), with prompts of different lengths chunked together.
        if (ready) {
            std::vector<Seq> mixed;
            const int32_t which[n_seqs] = {-1, 0, 1, 2, 0};
            for (int32_t s = 0; s < n_seqs; ++s) {
                std::vector<int32_t> tokens(prompt.begin(), prompt.begin() + (s == 4 ? length - 13 : length));
                mixed.push_back(Seq{tokens, blocks(s), which[s], {}});
            }
            std::string error;
            const bool ran = run(model, cache, cfg.n_vocab, per_seq, mixed, adapters, 7, error);
            check(ran, "lora: mixed batch runs" + (ran ? "" : ": " + error));
            for (int32_t s = 0; ran && s < n_seqs; ++s) {
                std::vector<std::vector<float>> want_rows;
                if (which[s] < 0) {
                    std::vector<Seq> one{{mixed[s].tokens, blocks(0), -1, {}}};
                    run(model, cache, cfg.n_vocab, per_seq, one, {}, 64, error);
                    want_rows = one[0].logits;
                } else {
                    want_rows.assign(alone[which[s]].begin(), alone[which[s]].begin() + mixed[s].tokens.size());
                }
                std::vector<std::vector<double>> want(want_rows.size());
                for (size_t t = 0; t < want.size(); ++t) want[t].assign(want_rows[t].begin(), want_rows[t].end());
                const double err = rel_l2(want, mixed[s].logits);
                check(err <= 1e-5, "lora: " + cfg.name + ", mixed batch sequence " + std::to_string(s) + " (adapter " +
                                       std::to_string(which[s]) + ") equals it alone: rel L2 " + std::to_string(err) + " <= 1e-5");
            }
            // A bad adapter index or a foreign adapter is refused naming the field.
            std::vector<Seq> bad{{prompt, blocks(0), 3, {}}};
            const bool bad_ran = run(model, cache, cfg.n_vocab, per_seq, bad, adapters, 64, error);
            check(!bad_ran && error.find("seq_adapters[0]") != std::string::npos,
                  "lora: a sequence's adapter index outside [-1, n_adapters) is refused (" + error + ")");
            llcuda_model *other = nullptr;
            llcuda_adapter *foreign = nullptr;
            llcuda_model_load(backend, base.path.c_str(), &base.spec, &other);
            llcuda_adapter_load(other, files[0]->path.c_str(), &files[0]->spec, &foreign);
            std::vector<Seq> cross{{prompt, blocks(0), 0, {}}};
            const bool cross_ran = foreign == nullptr || run(model, cache, cfg.n_vocab, per_seq, cross, {foreign}, 64, error);
            check(!cross_ran && error.find("another model") != std::string::npos,
                  "lora: an adapter loaded on another model is refused (" + error + ")");
            llcuda_adapter_free(foreign);
            llcuda_model_free(other);
            refusals(model, base, *files[0], check);
        }
        llcuda_kv_cache_free(cache);
        for (llcuda_adapter *a : adapters) llcuda_adapter_free(a);
        llcuda_model_free(model);
        llcuda_backend_free(backend);
        std::remove(base.path.c_str());
    }
}

}  // namespace lora_test
