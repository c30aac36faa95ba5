// llcuda-bench: prompt-processing and generation speed of one model on one backend, measured the
// way llama-bench and llama-batched-bench measure them:
//   pp  - one sequence of -p prompt tokens in one step, from an empty cache (median of -r runs);
//   tg  - -n greedy decode steps of one sequence, from an empty cache;
//   S_TG per concurrency - each of N sequences gets a 128-token prompt (prefilled in steps of at most
//         512 tokens), then 128 decode steps of all N together are timed: N*128 / time.
//   --adapters A1,A2,..: then, per count A, A random LoRA adapters (rank --adapter-rank, F16, every
//         projection of every layer) are loaded; tg with one adapter, and S_TG per concurrency
//         with sequence i running adapter i % A.
//
//   llcuda-bench --model M.gguf --backend cuda|cpu [--devices 0,1] [--threads N] [-p 512] [-n 128] [-r 3]
//                [--batches 1,4,8,16,32,64,128] [--bandwidth GBPS] [--kv f16|q8_0] [--temp T --top-k K --top-p P]
//                [--adapters 1,8,32 [--adapter-rank 16]] [--mask DENSITY]
// (--devices: the CUDA ordinals, default 0; several go through llcuda_model_load_on_devices, which
// this build refuses after planning; sampling: greedy unless --temp > 0; every sequence samples with the same
// parameters; --mask: every sequence samples under an allowed-token mask each step, as constrained decoding does, one
// of kMaskPool random masks allowing each token with probability DENSITY (0..1], picked anew per sequence and step; 1
// allows every token and measures the mask path alone)
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gguf-file.h"
#include "llcuda.h"
#include "model-spec-from-gguf.h"
#include "tool-main.h"

namespace {

using Clock = std::chrono::steady_clock;

void check(llcuda_status s, const char *what) {
    if (s != LLCUDA_OK) throw std::runtime_error(std::string(what) + ": " + llcuda_last_error());
}

constexpr int kBlockSize = 16;
constexpr int kBatchedPrompt = 128, kBatchedGen = 128, kMaxStepTokens = 512;
constexpr int kMaskPool = 16;

struct Sequence {
    std::vector<int32_t> table;
    int32_t pos = 0;
    int32_t next = 0;      // token to feed
    int32_t adapter = -1;  // index into the runner's adapters; -1: the base model
};

class Runner {
  public:
    Runner(llcuda_model *model, llcuda_kv_cache *cache, int32_t n_vocab, const llcuda_sampling_params &sampling,
           std::vector<std::vector<uint32_t>> mask_pool)
        : model_(model), cache_(cache), n_vocab_(n_vocab), sampling_(sampling), mask_pool_(std::move(mask_pool)) {}

    // One step: each (sequence, tokens) pair contributes its tokens; every sequence samples.
    void step(std::vector<Sequence *> &seqs, const std::vector<std::vector<int32_t>> &tokens) {
        tok_.clear();
        pos_.clear();
        ids_.clear();
        tables_.clear();
        size_t max_blocks = 0;
        for (Sequence *s : seqs) max_blocks = std::max(max_blocks, s->table.size());
        for (size_t i = 0; i < seqs.size(); ++i) {
            for (size_t j = 0; j < tokens[i].size(); ++j) {
                tok_.push_back(tokens[i][j]);
                pos_.push_back(seqs[i]->pos + static_cast<int32_t>(j));
                ids_.push_back(static_cast<int32_t>(i));
            }
            std::vector<int32_t> t = seqs[i]->table;
            t.resize(max_blocks, -1);
            tables_.insert(tables_.end(), t.begin(), t.end());
        }
        sample_.assign(seqs.size(), 1);
        params_.assign(seqs.size(), sampling_);
        sampled_.assign(seqs.size(), -1);
        llcuda_batch b{};
        b.n_tokens = static_cast<int32_t>(tok_.size());
        b.tokens = tok_.data();
        b.positions = pos_.data();
        b.seq_ids = ids_.data();
        b.n_seqs = static_cast<int32_t>(seqs.size());
        b.max_blocks_per_seq = static_cast<int32_t>(max_blocks);
        b.block_tables = tables_.data();
        b.sample = sample_.data();
        b.sampling = params_.data();
        seq_adapters_.clear();
        for (Sequence *seq : seqs) seq_adapters_.push_back(seq->adapter);
        if (!adapters_.empty()) {
            b.n_adapters = static_cast<int32_t>(adapters_.size());
            b.adapters = adapters_.data();
            b.seq_adapters = seq_adapters_.data();
        }
        if (!mask_pool_.empty()) {
            const size_t words = mask_pool_[0].size();
            allowed_.resize(seqs.size() * words);
            for (size_t i = 0; i < seqs.size(); ++i) {
                const uint32_t pick =
                    static_cast<uint32_t>((steps_ * 40503u + i * 2654435761u) >> 7) % mask_pool_.size();
                std::copy(mask_pool_[pick].begin(), mask_pool_[pick].end(), allowed_.begin() + i * words);
            }
            b.allowed_words = static_cast<int32_t>(words);
            b.allowed_tokens = allowed_.data();
        }
        ++steps_;
        llcuda_step_output out{};
        out.sampled = sampled_.data();
        check(llcuda_step(model_, cache_, &b, &out), "llcuda_step");
        for (size_t i = 0; i < seqs.size(); ++i) {
            seqs[i]->pos += static_cast<int32_t>(tokens[i].size());
            seqs[i]->next = sampled_[i];
        }
    }
    int32_t n_vocab() const { return n_vocab_; }
    // The adapters sequences choose from by index (none: every sequence runs the base model).
    void use_adapters(std::vector<llcuda_adapter *> adapters) { adapters_ = std::move(adapters); }
    int32_t n_adapters() const { return static_cast<int32_t>(adapters_.size()); }

  private:
    llcuda_model *model_;
    llcuda_kv_cache *cache_;
    int32_t n_vocab_;
    llcuda_sampling_params sampling_;
    std::vector<int32_t> tok_, pos_, ids_, tables_, sampled_, seq_adapters_;
    std::vector<llcuda_adapter *> adapters_;
    std::vector<std::vector<uint32_t>> mask_pool_;  // empty: no mask
    std::vector<uint32_t> allowed_;
    uint64_t steps_ = 0;
    std::vector<uint8_t> sample_;
    std::vector<llcuda_sampling_params> params_;
};

std::vector<int32_t> random_tokens(int n, int32_t n_vocab, uint32_t seed) {
    std::vector<int32_t> t(n);
    uint32_t x = seed * 2654435761u + 12345u;
    for (int i = 0; i < n; ++i) {
        x = x * 1664525u + 1013904223u;
        t[i] = 1 + static_cast<int32_t>((x >> 8) % static_cast<uint32_t>(n_vocab - 1));
    }
    return t;
}

// kMaskPool masks of n_vocab bits, each token allowed with probability `density` (at least one per mask).
std::vector<std::vector<uint32_t>> random_masks(int32_t n_vocab, double density) {
    if (!(density > 0.0 && density <= 1.0)) throw std::runtime_error("--mask: the density is in (0, 1]");
    std::vector<std::vector<uint32_t>> pool;
    uint32_t x = 99991u;
    for (int m = 0; m < kMaskPool; ++m) {
        std::vector<uint32_t> mask((n_vocab + 31) / 32, 0u);
        for (int32_t t = 0; t < n_vocab; ++t) {
            x = x * 1664525u + 1013904223u;
            if ((x >> 8) < density * 16777216.0) mask[t >> 5] |= 1u << (t & 31);
        }
        const int32_t one = static_cast<int32_t>((x >> 8) % static_cast<uint32_t>(n_vocab));
        mask[one >> 5] |= 1u << (one & 31);
        pool.push_back(std::move(mask));
    }
    return pool;
}

Sequence make_seq(int first_block, int n_blocks) {
    Sequence s;
    for (int i = 0; i < n_blocks; ++i) s.table.push_back(first_block + i);
    return s;
}

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

double prompt_speed(Runner &r, int p, int reps) {
    std::vector<double> times;
    for (int i = 0; i <= reps; ++i) {  // run 0 warms up
        Sequence s = make_seq(0, (p + kBlockSize - 1) / kBlockSize);
        std::vector<Sequence *> seqs = {&s};
        const auto t0 = Clock::now();
        r.step(seqs, {random_tokens(p, r.n_vocab(), 7 + i)});
        if (i > 0) times.push_back(seconds_since(t0));
    }
    std::sort(times.begin(), times.end());
    return p / times[times.size() / 2];
}

double generation_speed(Runner &r, int n) {
    double best = 0;
    for (int rep = 0; rep < 2; ++rep) {  // the first run captures the decode graph
        Sequence s = make_seq(0, (n + 1 + kBlockSize - 1) / kBlockSize);
        s.adapter = r.n_adapters() > 0 ? 0 : -1;
        std::vector<Sequence *> seqs = {&s};
        r.step(seqs, {{1}});
        const auto t0 = Clock::now();
        for (int i = 0; i < n; ++i) r.step(seqs, {{s.next}});
        best = n / seconds_since(t0);
    }
    return best;
}

// Returns {S_TG, prefill tokens/s}.
std::pair<double, double> batched_speed(Runner &r, int npl) {
    const int blocks_per_seq = (kBatchedPrompt + 1 + kBatchedGen + kBlockSize - 1) / kBlockSize;
    std::vector<Sequence> seqs;
    for (int i = 0; i < npl; ++i) {
        seqs.push_back(make_seq(i * blocks_per_seq, blocks_per_seq));
        seqs.back().adapter = r.n_adapters() > 0 ? i % r.n_adapters() : -1;
    }
    const auto t_pp = Clock::now();
    const int per_step = std::max(1, kMaxStepTokens / kBatchedPrompt);
    for (int i = 0; i < npl; i += per_step) {
        std::vector<Sequence *> group;
        std::vector<std::vector<int32_t>> tokens;
        for (int j = i; j < std::min(npl, i + per_step); ++j) {
            group.push_back(&seqs[j]);
            tokens.push_back(random_tokens(kBatchedPrompt, r.n_vocab(), 100 + j));
        }
        r.step(group, tokens);
    }
    const double pp = npl * kBatchedPrompt / seconds_since(t_pp);
    std::vector<Sequence *> all;
    all.reserve(seqs.size());
    for (Sequence &s : seqs) all.push_back(&s);
    auto decode = [&] {
        std::vector<std::vector<int32_t>> tokens;
        tokens.reserve(all.size());
        for (Sequence *s : all) tokens.push_back({s->next});
        r.step(all, tokens);
    };
    decode();  // untimed: captures this bucket's graph
    const auto t0 = Clock::now();
    for (int i = 0; i < kBatchedGen; ++i) decode();
    return {npl * kBatchedGen / seconds_since(t0), pp};
}

// `count` random LoRA adapters of rank `rank` over every projection of every layer of the model,
// in F16, written to one temporary file (removed once loaded) and loaded on `model`.
class RandomAdapters {
  public:
    RandomAdapters(llcuda_model *model, const llcuda::tools::GgufModelSpec &spec, int count, int rank) {
        static const char *const kTargets[] = {"attn_q",   "attn_k", "attn_v",  "attn_output",
                                               "ffn_gate", "ffn_up", "ffn_down"};
        char path[] = "/tmp/llcuda-bench-adapters-XXXXXX";
        const int fd = mkstemp(path);
        if (fd < 0) throw std::runtime_error("cannot create a temporary adapter file");
        FILE *f = fdopen(fd, "wb");
        std::mt19937 rng(1234);
        uint64_t offset = 0;
        std::vector<std::string> names;
        std::vector<std::vector<llcuda_tensor_desc>> tensors(count);
        // One tensor of ne0 x ne1 random values, F16.
        auto add = [&](int a, const std::string &name, int64_t ne0, int64_t ne1, float range) {
            std::uniform_real_distribution<float> dist(-range, range);
            std::vector<float> values(static_cast<size_t>(ne0 * ne1));
            for (float &v : values) v = dist(rng);
            std::vector<uint8_t> bytes(values.size() * 2);
            uint64_t written = 0;
            check(llcuda_quantize(LLCUDA_TYPE_F16, values.data(), static_cast<int64_t>(values.size()), bytes.data(),
                                  bytes.size(), &written),
                  "adapter values");
            if (std::fwrite(bytes.data(), 1, written, f) != written)
                throw std::runtime_error("cannot write " + std::string(path));
            tensors[a].push_back(llcuda_tensor_desc{nullptr, LLCUDA_TYPE_F16, 2, {ne0, ne1, 1, 1}, offset, written});
            offset += written;
            names.push_back(name);
        };
        for (int a = 0; a < count; ++a)
            for (size_t i = 0; i < spec.descs.size(); ++i)
                for (const char *target : kTargets) {
                    const std::string name = spec.names[i];
                    const std::string suffix = std::string(".") + target + ".weight";
                    if (name.rfind("blk.", 0) != 0 || name.size() < suffix.size() ||
                        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
                        continue;
                    const int64_t cols = spec.descs[i].ne[0], rows = spec.descs[i].ne[1];
                    add(a, name + ".lora_a", cols, rank, 1.0f / std::sqrt(static_cast<float>(cols)));
                    add(a, name + ".lora_b", rank, rows, 0.1f / std::sqrt(static_cast<float>(rank)));
                }
        std::fclose(f);
        names_ = std::move(names);
        size_t at = 0;
        for (int a = 0; a < count; ++a) {
            for (llcuda_tensor_desc &d : tensors[a]) d.name = names_[at++].c_str();
            const llcuda_adapter_spec adapter{0.0f, 1.0f, static_cast<int32_t>(tensors[a].size()), tensors[a].data()};
            llcuda_adapter *handle = nullptr;
            const llcuda_status st = llcuda_adapter_load(model, path, &adapter, &handle);
            if (st != LLCUDA_OK) {
                std::remove(path);
                check(st, "adapter load");
            }
            adapters_.push_back(handle);
        }
        std::remove(path);
    }
    ~RandomAdapters() {
        for (llcuda_adapter *a : adapters_) llcuda_adapter_free(a);
    }
    RandomAdapters(const RandomAdapters &) = delete;
    RandomAdapters &operator=(const RandomAdapters &) = delete;
    const std::vector<llcuda_adapter *> &handles() const { return adapters_; }
    uint64_t bytes() const {
        uint64_t total = 0, one = 0;
        for (llcuda_adapter *a : adapters_) {
            check(llcuda_adapter_bytes(a, &one), "adapter bytes");
            total += one;
        }
        return total;
    }

  private:
    std::vector<std::string> names_;
    std::vector<llcuda_adapter *> adapters_;
};

std::vector<int> parse_list(const std::string &s) {
    std::vector<int> v;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ',')) v.push_back(std::stoi(item));
    return v;
}

int32_t parse_kv_type(const std::string &v) {
    if (v == "f16") return LLCUDA_TYPE_F16;
    if (v == "q8_0") return LLCUDA_TYPE_Q8_0;
    throw std::runtime_error("--kv " + v + ": the KV cache type is f16 or q8_0");
}

int run(int argc, char **argv) {
    std::string model_path, backend = "cuda";
    int threads = 0, p = 512, n = 128, reps = 3;
    double bandwidth = 0, mask_density = -1;  // -1: no --mask
    int32_t kv_type = LLCUDA_TYPE_F16;
    llcuda_sampling_params sampling{0.0f, 0, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 42};
    std::vector<int> batches = {1, 4, 8, 16, 32, 64, 128};
    std::vector<int> adapter_counts;
    std::vector<int> devices = {0};
    int adapter_rank = 16;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i], v = argv[i + 1];
        if (a == "--model")
            model_path = v;
        else if (a == "--backend")
            backend = v;
        else if (a == "--devices")
            devices = parse_list(v);
        else if (a == "--threads")
            threads = std::stoi(v);
        else if (a == "-p")
            p = std::stoi(v);
        else if (a == "-n")
            n = std::stoi(v);
        else if (a == "-r")
            reps = std::stoi(v);
        else if (a == "--batches")
            batches = parse_list(v);
        else if (a == "--bandwidth")
            bandwidth = std::stod(v);
        else if (a == "--kv")
            kv_type = parse_kv_type(v);
        else if (a == "--temp")
            sampling.temperature = std::stof(v);
        else if (a == "--top-k")
            sampling.top_k = std::stoi(v);
        else if (a == "--top-p")
            sampling.top_p = std::stof(v);
        else if (a == "--adapters")
            adapter_counts = parse_list(v);
        else if (a == "--adapter-rank")
            adapter_rank = std::stoi(v);
        else if (a == "--mask")
            mask_density = std::stod(v);
        else
            throw std::runtime_error("unknown option " + a);
    }
    if (model_path.empty() || (backend != "cuda" && backend != "cpu"))
        throw std::runtime_error(
            "usage: llcuda-bench --model M.gguf --backend cuda|cpu [--devices 0,1] [--threads N] [-p 512] [-n 128] "
            "[-r 3] [--batches 1,4,8] [--bandwidth GBPS] [--kv f16|q8_0] [--temp T --top-k K --top-p P] "
            "[--adapters 1,8,32 [--adapter-rank 16]] [--mask DENSITY]");
    for (int count : adapter_counts)
        if (count < 1) throw std::runtime_error("--adapters: every count must be at least 1");
    if (devices.empty() || (backend == "cpu" && devices != std::vector<int>{0}))
        throw std::runtime_error("--devices: one or more CUDA ordinals, with --backend cuda");
    const int max_npl = batches.empty() ? 0 : *std::max_element(batches.begin(), batches.end());
    const int ctx = std::max({p, kBatchedPrompt + 1 + kBatchedGen, n + 1});
    const llcuda::tools::GgufFile file(model_path);
    const llcuda::tools::GgufModelSpec spec = llcuda::tools::model_spec_from_gguf(file, ctx);

    llcuda_backend *be = nullptr;
    check(llcuda_backend_create(backend == "cuda" ? LLCUDA_BACKEND_CUDA : LLCUDA_BACKEND_CPU, devices[0], threads, &be),
          "backend");
    llcuda_device_info before{};
    check(llcuda_backend_info(be, &before), "backend info");
    llcuda_model *model = nullptr;
    if (devices.size() > 1) {
        check(llcuda_model_load_on_devices(devices.data(), static_cast<int32_t>(devices.size()), model_path.c_str(),
                                           &spec.spec, &model),
              "model load on several devices");
    } else {
        check(llcuda_model_load(be, model_path.c_str(), &spec.spec, &model), "model load");
    }
    uint64_t weight_bytes = 0;
    check(llcuda_model_weight_bytes(model, &weight_bytes), "weight bytes");
    const int blocks_per_seq = (ctx + kBlockSize - 1) / kBlockSize + 1;
    const int n_blocks = std::max(1, max_npl) * blocks_per_seq;
    llcuda_kv_cache *cache = nullptr;
    check(llcuda_kv_cache_create(model, n_blocks, kBlockSize, kv_type, &cache), "KV cache");
    uint64_t kv_bytes = 0;
    check(llcuda_kv_cache_bytes(model, n_blocks, kBlockSize, kv_type, &kv_bytes), "KV bytes");

    std::printf("model   %s\nbackend %s: %s (cc %d.%d, %d SMs)\n", model_path.c_str(), backend.c_str(), before.name,
                before.compute_major, before.compute_minor, before.multiprocessors);
    std::printf("weights %.3f GiB, KV cache %.3f GiB (%d blocks of %d, %s)\n", weight_bytes / 1073741824.0,
                kv_bytes / 1073741824.0, n_blocks, kBlockSize, kv_type == LLCUDA_TYPE_F16 ? "F16" : "Q8_0");
    Runner r(model, cache, spec.spec.n_vocab, sampling,
             mask_density >= 0 ? random_masks(spec.spec.n_vocab, mask_density) : std::vector<std::vector<uint32_t>>{});
    if (sampling.temperature > 0)
        std::printf("sampling temperature %.2f, top-k %d, top-p %.2f\n", sampling.temperature, sampling.top_k,
                    sampling.top_p);
    if (mask_density >= 0)
        std::printf(
            "allowed-token masks: each sequence each step one of %d random masks allowing %.4g of the vocabulary\n",
            kMaskPool, mask_density);
    std::printf("pp%d   %10.1f t/s\n", p, prompt_speed(r, p, reps));
    std::fflush(stdout);
    const double tg = generation_speed(r, n);
    std::printf("tg%d   %10.1f t/s", n, tg);
    if (bandwidth > 0)
        std::printf("   (bandwidth limit %.0f t/s = %.0f GB/s / %.3f GB of weights; %.0f%% of it)",
                    bandwidth * 1e9 / weight_bytes, bandwidth, weight_bytes / 1e9,
                    100.0 * tg * weight_bytes / (bandwidth * 1e9));
    std::printf("\n");
    std::fflush(stdout);
    for (int npl : batches) {
        const auto res = batched_speed(r, npl);
        std::printf("npl %4d   S_TG %10.1f t/s   prefill %10.1f t/s\n", npl, res.first, res.second);
        std::fflush(stdout);
    }
    for (int count : adapter_counts) {
        const RandomAdapters adapters(model, spec, count, adapter_rank);
        r.use_adapters(adapters.handles());
        std::printf("%d LoRA adapters of rank %d (%.3f GiB):\n", count, adapter_rank, adapters.bytes() / 1073741824.0);
        std::printf("  tg%d with one adapter %10.1f t/s\n", n, generation_speed(r, n));
        std::fflush(stdout);
        for (int npl : batches) {
            const auto res = batched_speed(r, npl);
            std::printf("  npl %4d over %d adapters   S_TG %10.1f t/s   prefill %10.1f t/s\n", npl, count, res.first,
                        res.second);
            std::fflush(stdout);
        }
        r.use_adapters({});
    }
    if (backend == "cuda") {
        llcuda_device_info after{};
        check(llcuda_backend_info(be, &after), "backend info");
        std::printf("GPU memory used %.3f GiB (weights %.3f, KV %.3f, the rest work buffers and CUDA context)\n",
                    (static_cast<double>(before.memory_free) - static_cast<double>(after.memory_free)) / 1073741824.0,
                    weight_bytes / 1073741824.0, kv_bytes / 1073741824.0);
    }
    llcuda_kv_cache_free(cache);
    llcuda_model_free(model);
    llcuda_backend_free(be);
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    return llcuda::tools::run_tool_main("llcuda-bench", run, argc, argv);
}
