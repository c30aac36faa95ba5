// Test-only: LoRA adapters over reference_model.h's micro models. Adapters of random low-rank pairs
// (F32, F16, Q8_0; several ranks, alphas and user scales, different projections) are written to a raw
// file with their llcuda_adapter_spec; the float64 reference is the model with each targeted weight
// replaced by W + scale * B A of the adapter's dequantized tensors. Checked on the CPU and CUDA
// backends: each of 8 adapters alone against that reference, a batch mixing the 8 adapters and the
// base model against each sequence run alone (prompt chunks, then greedy decode steps), and adapter
// specs that do not fit the model refused naming the tensor.
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

#include "chunked_runner.h"
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
    ~Adapter() {
        if (!path.empty()) std::remove(path.c_str());
    }
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

inline void write_adapter(const reference_model::Model &m, const AdapterPlan &plan, const std::string &path,
                          std::mt19937_64 &rng, Adapter &out) {
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
            if (llcuda_quantize(plan.type, &values[r * ne0], ne0, data.data() + total, data.size() - total, &written) !=
                LLCUDA_OK)
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
        add(target + ".weight.lora_b", plan.rank, rows,
            0.5f / std::sqrt(static_cast<float>(plan.rank)) / std::fabs(out.scale()));
    }
    std::fclose(f);
    for (size_t i = 0; i < out.tensors.size(); ++i) out.tensors[i].name = out.names[i].c_str();
    out.spec =
        llcuda_adapter_spec{plan.alpha, plan.user_scale, static_cast<int32_t>(out.tensors.size()), out.tensors.data()};
}

// The base model with every targeted weight W replaced by W + factor * scale * B A (in double, then float).
inline reference_model::Model merged(const reference_model::Model &m, const Adapter &a, double factor = 1.0) {
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
                    for (int32_t j = 0; j < a.plan.rank; ++j)
                        d += static_cast<double>(B[r * a.plan.rank + j]) * A[j * cols + c];
                    out.data[k][r * cols + c] = static_cast<float>(out.data[k][r * cols + c] + factor * a.scale() * d);
                }
        }
    }
    return out;
}

inline std::vector<std::vector<double>> widened(const std::vector<std::vector<float>> &rows) {
    std::vector<std::vector<double>> out;
    out.reserve(rows.size());
    for (const std::vector<float> &row : rows) out.emplace_back(row.begin(), row.end());
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

using chunked_runner::SeqRun;

// Runs the sequences together in chunks of `chunk` tokens each; per sequence its positions' logits rows.
inline bool run(llcuda_model *model, llcuda_kv_cache *cache, int32_t n_vocab, int32_t max_blocks,
                const std::vector<SeqRun> &seqs, const std::vector<llcuda_adapter *> &adapters, int32_t chunk,
                std::vector<std::vector<std::vector<float>>> &rows, std::string &error) {
    const std::vector<std::vector<float>> flat =
        chunked_runner::run_logits(model, cache, n_vocab, seqs, chunk, max_blocks, adapters, &error);
    if (flat.empty()) return false;
    rows.assign(seqs.size(), {});
    for (size_t s = 0; s < seqs.size(); ++s)
        for (size_t at = 0; at < flat[s].size(); at += static_cast<size_t>(n_vocab))
            rows[s].emplace_back(flat[s].begin() + at, flat[s].begin() + at + n_vocab);
    return true;
}

// One greedy decode step of every sequence at once (token tokens[s] at position positions[s]; no
// logits rows, so a CUDA model replays its graph): the sampled tokens and their log-probabilities.
inline bool decode(llcuda_model *model, llcuda_kv_cache *cache, int32_t max_blocks, const std::vector<SeqRun> &seqs,
                   const std::vector<int32_t> &positions, const std::vector<llcuda_adapter *> &adapters,
                   std::vector<int32_t> &sampled, std::vector<float> &logprobs, std::string &error) {
    const int32_t n = static_cast<int32_t>(seqs.size());
    std::vector<int32_t> tokens, ids, table, seq_adapters;
    for (int32_t s = 0; s < n; ++s) {
        tokens.push_back(seqs[s].tokens[positions[s]]);
        ids.push_back(s);
        table.insert(table.end(), seqs[s].blocks.begin(), seqs[s].blocks.end());
        seq_adapters.push_back(seqs[s].adapter);
    }
    llcuda_sampling_params greedy{};
    greedy.top_p = 1.0f;
    greedy.repetition_penalty = 1.0f;
    std::vector<llcuda_sampling_params> params(n, greedy);
    std::vector<uint8_t> sample(n, 1);
    sampled.assign(n, -1);
    logprobs.assign(n, 0.0f);
    llcuda_batch b{};
    b.n_tokens = n;
    b.tokens = tokens.data();
    b.positions = positions.data();
    b.seq_ids = ids.data();
    b.n_seqs = n;
    b.max_blocks_per_seq = max_blocks;
    b.block_tables = table.data();
    b.sample = sample.data();
    b.sampling = params.data();
    b.n_adapters = static_cast<int32_t>(adapters.size());
    b.adapters = adapters.data();
    b.seq_adapters = seq_adapters.data();
    llcuda_step_output o{sampled.data(), logprobs.data(), nullptr, 0};
    if (llcuda_step(model, cache, &b, &o) == LLCUDA_OK) return true;
    error = llcuda_model_last_error(model);
    return false;
}

// log-softmax of a row at `token`.
inline double log_softmax_at(const std::vector<float> &row, int32_t token) {
    const double top = *std::max_element(row.begin(), row.end());
    double sum = 0;
    for (float v : row) sum += std::exp(v - top);
    return row[static_cast<size_t>(token)] - top - std::log(sum);
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

inline double bound(int32_t type) {
    return type == LLCUDA_TYPE_Q8_0 ? 2e-2 : type == LLCUDA_TYPE_F16 ? 1e-3 : 5e-4;
}

inline void refusals(llcuda_model *model, const reference_model::Model &m, const Adapter &good, const Check &check) {
    auto refused = [&](std::vector<llcuda_tensor_desc> tensors, float alpha, llcuda_status want,
                       const std::string &needle, const std::string &what) {
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
    refused(t, 16.0f, LLCUDA_ERR_INVALID_ARGUMENT, norm,
            "a tensor that is no projection's pair half is refused naming it");
    t = good.tensors;
    const std::string beyond = "blk." + std::to_string(m.cfg.n_layer) + ".attn_q.weight.lora_a";
    t[0].name = beyond.c_str();
    refused(t, 16.0f, LLCUDA_ERR_INVALID_ARGUMENT, beyond,
            "a layer the model does not have is refused naming the tensor");
    t = good.tensors;
    t[1].type = LLCUDA_TYPE_Q4_K;
    refused(t, 16.0f, LLCUDA_ERR_INVALID_ARGUMENT, good.names[1],
            "a lora_b whose rows are not whole blocks of its type is refused");
    t = good.tensors;
    t.back().size += 4;
    refused(t, 16.0f, LLCUDA_ERR_INVALID_ARGUMENT, "beyond the end", "a tensor past the end of the file is refused");
    refused(good.tensors, std::nanf(""), LLCUDA_ERR_INVALID_ARGUMENT, "alpha", "a NaN alpha is refused");
}

// What differs between the backends the test runs on.
struct Backend {
    int32_t kind;                 // LLCUDA_BACKEND_CPU or LLCUDA_BACKEND_CUDA
    double mixed_bound;           // rel L2 of a mixed batch's sequence against it alone (other product paths on CUDA)
    reference_model::KvStore kv;  // how the float64 reference rounds the F16 KV cache as the backend does
    // The bytes the backend reports for an adapter: its tensors' file bytes, its values, the model's layers.
    std::function<uint64_t(uint64_t file_bytes, uint64_t values, int32_t n_layer)> adapter_bytes;
};

constexpr int32_t kAdapters = 8;

inline void run(const Backend &backend_kind, std::mt19937_64 &rng, const Check &check) {
    std::vector<reference_model::Config> configs;
    for (const reference_model::Config &c : reference_model::configs())
        if (c.name.rfind("qwen2", 0) == 0 || c.name.rfind("linear", 0) == 0) configs.push_back(c);
    for (const reference_model::Config &cfg : configs) {
        const std::string stem = "/tmp/llcuda-test-lora-" + std::to_string(getpid());
        const reference_model::Model base = reference_model::write(cfg, stem + ".bin", 11);
        // kAdapters adapters of the three kinds, each with its own random pairs.
        const std::vector<AdapterPlan> kinds = plans(cfg);
        std::vector<std::unique_ptr<Adapter>> files;
        for (int32_t i = 0; i < kAdapters; ++i) {
            AdapterPlan plan = kinds[static_cast<size_t>(i) % kinds.size()];
            plan.name = "#" + std::to_string(i) + " " + plan.name;
            files.push_back(std::make_unique<Adapter>());
            write_adapter(base, plan, stem + "-adapter" + std::to_string(i) + ".bin", rng, *files.back());
        }
        llcuda_backend *backend = nullptr;
        llcuda_model *model = nullptr;
        const bool loaded = llcuda_backend_create(backend_kind.kind, 0, 2, &backend) == LLCUDA_OK &&
                            llcuda_model_load(backend, base.path.c_str(), &base.spec, &model) == LLCUDA_OK;
        check(loaded, "lora: load " + cfg.name);
        std::vector<llcuda_adapter *> adapters;
        for (const auto &a : files) {
            llcuda_adapter *handle = nullptr;
            const bool ok = loaded && llcuda_adapter_load(model, a->path.c_str(), &a->spec, &handle) == LLCUDA_OK;
            check(ok, "lora: load adapter " + a->plan.name + (ok ? "" : std::string(": ") + llcuda_last_error()));
            uint64_t bytes = 0, file_bytes = 0, values = 0;
            for (const llcuda_tensor_desc &d : a->tensors) file_bytes += d.size;
            for (const std::vector<float> &v : a->decoded) values += v.size();
            const uint64_t want = backend_kind.adapter_bytes(file_bytes, values, cfg.n_layer);
            const bool counted = ok && llcuda_adapter_bytes(handle, &bytes) == LLCUDA_OK;
            check(counted && bytes == want, "lora: adapter " + a->plan.name + " reports its " + std::to_string(want) +
                                                " bytes (" + std::to_string(bytes) + ")");
            adapters.push_back(handle);
        }
        const bool ready =
            loaded && std::none_of(adapters.begin(), adapters.end(), [](llcuda_adapter *a) { return a == nullptr; });
        const int32_t bs = 16, per_seq = (cfg.n_ctx + bs - 1) / bs;
        const int32_t n_seqs = kAdapters + 2, length = 40;
        llcuda_kv_cache *cache = nullptr;
        if (ready) llcuda_kv_cache_create(model, per_seq * n_seqs, bs, LLCUDA_TYPE_F16, &cache);
        auto blocks = [&](int32_t s) {
            std::vector<int32_t> b;
            b.reserve(static_cast<size_t>(per_seq));
            for (int32_t i = 0; i < per_seq; ++i) b.push_back(s * per_seq + i);
            return b;
        };
        std::vector<int32_t> prompt;
        prompt.reserve(static_cast<size_t>(length));
        for (int32_t i = 0; i < length; ++i) prompt.push_back(static_cast<int32_t>(rng() % cfg.n_vocab));
        const std::vector<std::vector<double>> base_want = reference_model::logits(base, prompt, backend_kind.kv);
        std::vector<std::vector<std::vector<float>>> alone(files.size());
        for (size_t a = 0; ready && a < files.size(); ++a) {
            const std::vector<std::vector<double>> want =
                reference_model::logits(merged(base, *files[a]), prompt, backend_kind.kv);
            std::vector<std::vector<std::vector<float>>> rows;
            std::string error;
            const bool ran = run(model, cache, cfg.n_vocab, per_seq, {{prompt, blocks(0), static_cast<int32_t>(a)}},
                                 adapters, 16, rows, error);
            const double err = ran ? rel_l2(want, rows[0]) : 1e9;
            check(err <= bound(files[a]->plan.type),
                  "lora: " + cfg.name + ", adapter " + files[a]->plan.name + ": " + std::to_string(length) +
                      " positions vs float64 W + scale B A: rel L2 " + std::to_string(err) +
                      " <= " + std::to_string(bound(files[a]->plan.type)) + error);
            const double moved = ran ? rel_l2(base_want, rows[0]) : 0;
            check(moved > 0.05, "lora: adapter " + files[a]->plan.name +
                                    " moves the logits away from the base model's (rel L2 " + std::to_string(moved) +
                                    " > 0.05)");
            if (ran) alone[a] = rows[0];
        }
        // Stacked adapters: #0 at factor 0.5 and #1 at -1.25 on one sequence, against float64
        // W + sum of factor * scale * B A; then beside the base model and #0 alone in one batch.
        if (ready) {
            const std::vector<std::pair<int32_t, float>> stack{{0, 0.5f}, {1, -1.25f}};
            const std::vector<std::vector<double>> want = reference_model::logits(
                merged(merged(base, *files[0], 0.5), *files[1], -1.25), prompt, backend_kind.kv);
            std::vector<std::vector<std::vector<float>>> one, together;
            std::string error;
            const bool ran =
                run(model, cache, cfg.n_vocab, per_seq, {{prompt, blocks(0), -1, stack}}, adapters, 16, one, error);
            const double limit = std::max(bound(files[0]->plan.type), bound(files[1]->plan.type));
            const double err = ran ? rel_l2(want, one[0]) : 1e9;
            check(err <= limit, "lora: " + cfg.name + ", adapters #0 x 0.5 and #1 x -1.25 stacked vs float64: rel L2 " +
                                    std::to_string(err) + " <= " + std::to_string(limit) + error);
            const bool both =
                ran && run(model, cache, cfg.n_vocab, per_seq,
                           {{prompt, blocks(1), -1}, {prompt, blocks(2), -1, stack}, {prompt, blocks(3), 0}}, adapters,
                           7, together, error);
            const double err_stack = both ? rel_l2(widened(one[0]), together[1]) : 1e9;
            const double err_single = both ? rel_l2(widened(alone[0]), together[2]) : 1e9;
            check(std::max(err_stack, err_single) <= backend_kind.mixed_bound,
                  "lora: " + cfg.name +
                      ", a stacked sequence and a single-adapter one batched in the stacked form equal them alone: rel "
                      "L2 " +
                      std::to_string(err_stack) + ", " + std::to_string(err_single) +
                      " <= " + std::to_string(backend_kind.mixed_bound));
            auto refused = [&](const std::vector<std::pair<int32_t, float>> &bad, const std::string &needle,
                               const std::string &what) {
                std::vector<std::vector<std::vector<float>>> none;
                const bool bad_ran =
                    run(model, cache, cfg.n_vocab, per_seq, {{prompt, blocks(0), -1, bad}}, adapters, 64, none, error);
                check(!bad_ran && error.find(needle) != std::string::npos, "lora: " + what + " (" + error + ")");
            };
            refused({{0, 1.0f}, {0, 0.5f}}, "twice", "an adapter stacked twice on one sequence is refused");
            refused({{0, 1.0f}, {1, 1.0f}, {2, 1.0f}, {3, 1.0f}, {4, 1.0f}}, "LLCUDA_MAX_ADAPTER_STACK",
                    "more than LLCUDA_MAX_ADAPTER_STACK stacked adapters are refused");
            refused({{0, std::nanf("")}}, "adapter_stack_scales[0]", "a NaN stacked factor is refused naming it");
        }
        // One batch: the base model, each adapter, and the first adapter twice (one group of two
        // sequences), with prompts of different lengths chunked together; then greedy decode steps
        // of all of them at once (a CUDA model's graph path).
        if (ready) {
            std::vector<SeqRun> mixed;
            std::vector<int32_t> which{-1};
            for (int32_t a = 0; a < kAdapters; ++a) which.push_back(a);
            which.push_back(0);
            for (int32_t s = 0; s < n_seqs; ++s) {
                std::vector<int32_t> tokens(prompt.begin(), prompt.begin() + (s == n_seqs - 1 ? length - 13 : length));
                mixed.push_back(SeqRun{tokens, blocks(s), which[s]});
            }
            std::string error;
            std::vector<std::vector<std::vector<float>>> got;
            const bool ran = run(model, cache, cfg.n_vocab, per_seq, mixed, adapters, 7, got, error);
            check(ran, "lora: mixed batch runs" + (ran ? "" : ": " + error));
            std::vector<std::vector<std::vector<float>>> want_rows(n_seqs);
            for (int32_t s = 0; ran && s < n_seqs; ++s) {
                if (which[s] < 0) {
                    std::vector<std::vector<std::vector<float>>> one;
                    run(model, cache, cfg.n_vocab, per_seq, {{mixed[s].tokens, blocks(0), -1}}, {}, 64, one, error);
                    want_rows[s] = one.empty() ? std::vector<std::vector<float>>{} : one[0];
                } else {
                    want_rows[s].assign(alone[which[s]].begin(), alone[which[s]].begin() + mixed[s].tokens.size());
                }
                const double err = rel_l2(widened(want_rows[s]), got[s]);
                check(err <= backend_kind.mixed_bound, "lora: " + cfg.name + ", mixed batch sequence " +
                                                           std::to_string(s) + " (adapter " + std::to_string(which[s]) +
                                                           ") equals it alone: rel L2 " + std::to_string(err) +
                                                           " <= " + std::to_string(backend_kind.mixed_bound));
            }
            // The last 4 positions again as decode steps of the whole batch (their K/V rewritten):
            // each sequence picks its own (near-)argmax with its log-probability, as it alone.
            for (int32_t back = 4; ran && back >= 1; --back) {
                std::vector<int32_t> positions, sampled;
                std::vector<float> logprobs;
                for (const SeqRun &seq : mixed) positions.push_back(static_cast<int32_t>(seq.tokens.size()) - back);
                const bool stepped =
                    decode(model, cache, per_seq, mixed, positions, adapters, sampled, logprobs, error);
                double worst = stepped ? 0 : 1e9;
                for (int32_t s = 0; stepped && s < n_seqs; ++s) {
                    const std::vector<float> &row = want_rows[s][static_cast<size_t>(positions[s])];
                    const int32_t best = static_cast<int32_t>(std::max_element(row.begin(), row.end()) - row.begin());
                    const bool valid = sampled[s] >= 0 && sampled[s] < cfg.n_vocab;
                    const double gap = valid ? log_softmax_at(row, best) - log_softmax_at(row, sampled[s]) : 1e9;
                    worst = std::max({worst, gap, std::fabs(logprobs[s] - log_softmax_at(row, best))});
                }
                check(worst <= 1e-3, "lora: " + cfg.name + ", greedy decode step of the mixed batch " +
                                         std::to_string(4 - back) +
                                         ": every sequence's token and log-probability as it alone (worst " +
                                         std::to_string(worst) + " <= 1e-3)" + (stepped ? "" : ": " + error));
            }
            // A bad adapter index or a foreign adapter is refused naming the field.
            std::vector<std::vector<std::vector<float>>> none;
            const bool bad_ran =
                run(model, cache, cfg.n_vocab, per_seq, {{prompt, blocks(0), kAdapters}}, adapters, 64, none, error);
            check(!bad_ran && error.find("seq_adapters[0]") != std::string::npos,
                  "lora: a sequence's adapter index outside [-1, n_adapters) is refused (" + error + ")");
            llcuda_model *other = nullptr;
            llcuda_adapter *foreign = nullptr;
            llcuda_model_load(backend, base.path.c_str(), &base.spec, &other);
            llcuda_adapter_load(other, files[0]->path.c_str(), &files[0]->spec, &foreign);
            const bool cross_ran = foreign == nullptr || run(model, cache, cfg.n_vocab, per_seq,
                                                             {{prompt, blocks(0), 0}}, {foreign}, 64, none, error);
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
