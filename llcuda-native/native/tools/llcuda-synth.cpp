// llcuda-synth: writes a GGUF model of a real shape with random weights and a real tokenizer, for
// benchmarks and tests (llama.cpp can read the same file). Weight types per tensor follow the mix
// llama-quantize writes for the file type (quant-mix.h: more bits for some attn_v/ffn_down layers,
// output.weight in Q6_K, fallback types for rows that are not whole K-quant blocks). Quantization
// goes through llcuda_quantize, in parallel over rows.
//
// Shapes with RoPE scaling: llama3.2-1b and micro-llama3 carry rope_freqs.weight (the llama3 factors
// as llama.cpp's converter computes them: factor 32, low 1, high 4, original context 8192 unless
// --rope-orig-ctx says otherwise); micro-qwen2-yarn is a qwen2 with YaRN metadata (factor 4,
// original context 256 or --rope-orig-ctx). micro-h80, micro-h96 and micro-h256 have those head sizes.
//
// The bert-micro shape is an encoder laid out as llama.cpp's converter writes BGE models (absolute
// positions, token types, LayerNorms with biases, mean pooling), with the bert vocab given;
// nomic-micro one laid out as nomic-embed-text (nomic-bert: RoPE, fused QKV, SwiGLU).
//
// FAMILY: a qwen3/gemma2/gemma3/phi3/MoE (micro-mixtral, micro-qwen3moe; mixtral-8x-tiny, qwen3moe-30b-a3b-5l for
// benchmarks) shape of family-model.h (metadata and tensors as llama.cpp's converter writes them; the output projection
// tied to token_embd as in the qwen3 and gemma files; phi3 with fused attn_qkv and gate|up ffn_up, and LongRoPE's
// factors in F32 where the shape has them).
//
// ADAPTER: a LoRA adapter of a model file written before (every attention and FFN projection of
// every layer, rank R, alpha A), laid out as llama.cpp's convert_lora_to_gguf.py writes one
// (general.type adapter, adapter.type lora, adapter.lora.alpha, "<base>.lora_a" [n_in, R] and
// ".lora_b" [R, n_out]); a tensor whose rows are not whole blocks of the type falls back to F16, as
// the converter does. Scaled so that the adapter moves the logits well beyond rounding.
//
//   llcuda-synth --adapter-of MODEL.gguf --type F32|F16|BF16|Q8_0 --rank R --alpha A --out ADAPTER.gguf [--seed S]
//
//   llcuda-synth --shape tinyllama|llama2-7b|micro|micro-576|llama3.2-1b|micro-llama3|micro-qwen2-yarn|
//                        micro-h80|micro-h96|micro-h256|bert-micro|nomic-micro|
//                        bge-small|bge-base|nomic-embed|FAMILY
//                --type MIX (F32, F16, Q4_0 ... IQ4_XS, NF4, see usage) --vocab VOCAB.gguf --out MODEL.gguf
//                [--seed S] [--rope-orig-ctx N]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "family-model.h"
#include "ggml_blocks.h"
#include "gguf-file.h"
#include "llcuda.h"
#include "quant-mix.h"
#include "rng.h"
#include "tool-main.h"

namespace {

using llcuda::tools::GgufFile;
using llcuda::tools::GgufWriter;
using llcuda::tools::QuantMix;

enum class Rope { None, Llama3, Yarn };

struct Shape {
    const char *name;
    int n_embd, n_layer, n_head, n_head_kv, n_ff, n_ctx;
    const char *arch = "llama";  // qwen2: q/k/v biases
    float theta = 10000.0f;
    Rope rope = Rope::None;
    float rope_factor = 1.0f;
    int rope_orig_ctx = 0;
    const char *encoder = nullptr;  // general.architecture of an encoder shape
};
constexpr Shape kShapes[] = {
    {"tinyllama", 2048, 22, 32, 4, 5632, 2048},
    {"llama2-7b", 4096, 32, 32, 32, 11008, 4096},
    {"micro", 256, 2, 4, 2, 512, 256},
    {"micro-576", 576, 2, 9, 3, 1536, 256},  // SmolLM2-135M's widths: rows of 576 are not whole K-quant blocks
    {"llama3.2-1b", 2048, 16, 32, 8, 8192, 131072, "llama", 500000.0f, Rope::Llama3, 32.0f, 8192},
    {"micro-llama3", 256, 2, 4, 1, 512, 4096, "llama", 500000.0f, Rope::Llama3, 32.0f, 8192},
    {"micro-qwen2-yarn", 256, 2, 4, 2, 512, 1024, "qwen2", 1000000.0f, Rope::Yarn, 4.0f, 256},
    {"micro-h80", 320, 2, 4, 2, 640, 256},
    {"micro-h96", 384, 2, 4, 2, 768, 256},
    {"micro-h256", 512, 2, 2, 1, 1024, 256},
    {"bert-micro", 256, 2, 4, 4, 1024, 128, "llama", 10000.0f, Rope::None, 1.0f, 0, "bert"},
    {"nomic-micro", 256, 2, 4, 4, 1024, 128, "llama", 10000.0f, Rope::None, 1.0f, 0, "nomic-bert"},
    // Real encoder sizes for throughput: bge-small-en-v1.5, bge-base-en-v1.5, nomic-embed-text-v1.5.
    {"bge-small", 384, 12, 12, 12, 1536, 512, "llama", 10000.0f, Rope::None, 1.0f, 0, "bert"},
    {"bge-base", 768, 12, 12, 12, 3072, 512, "llama", 10000.0f, Rope::None, 1.0f, 0, "bert"},
    {"nomic-embed", 768, 12, 12, 12, 3072, 2048, "llama", 1000.0f, Rope::None, 1.0f, 0, "nomic-bert"},
};

// The llama3 per-pair divisors as llama.cpp's converter derives them from Hugging Face's
// rope_scaling (low_freq_factor 1, high_freq_factor 4): 1 for wavelengths shorter than
// original / high, `factor` for those longer than original / low, a smooth blend between.
std::vector<float> llama3_rope_factors(int head_dim, float theta, float factor, int original) {
    const double low_freq = 1.0, high_freq = 4.0;
    const double low_wavelen = original / low_freq, high_wavelen = original / high_freq;
    std::vector<float> factors;
    for (int i = 0; i < head_dim; i += 2) {
        const double wavelen = 2.0 * M_PI * std::pow(static_cast<double>(theta), static_cast<double>(i) / head_dim);
        if (wavelen < high_wavelen) {
            factors.push_back(1.0f);
        } else if (wavelen > low_wavelen) {
            factors.push_back(factor);
        } else {
            const double smooth = (original / wavelen - low_freq) / (high_freq - low_freq);
            factors.push_back(static_cast<float>(1.0 / ((1.0 - smooth) / factor + smooth)));
        }
    }
    return factors;
}

struct TensorPlan {
    std::string name;
    int32_t type;
    std::vector<int64_t> ne;
    float center, spread;            // values uniform in center +- spread
    std::vector<float> values = {};  // fixed F32 values instead (rope_freqs.weight)
};

// Fills one tensor (rows in parallel) and quantizes it.
std::vector<uint8_t> make_tensor(const TensorPlan &t, uint64_t seed, uint64_t index, uint64_t bytes) {
    if (!t.values.empty()) {
        std::vector<uint8_t> out(t.values.size() * sizeof(float));
        std::memcpy(out.data(), t.values.data(), out.size());
        return out;
    }
    const int64_t cols = t.ne[0];
    int64_t rows = 1;  // every row of every matrix (stacked experts included)
    for (size_t d = 1; d < t.ne.size(); ++d) rows *= t.ne[d];
    const uint64_t row_size = bytes / static_cast<uint64_t>(rows);
    std::vector<uint8_t> out(bytes);
    const unsigned n_threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> pool;
    std::vector<std::string> errors(n_threads);
    for (unsigned w = 0; w < n_threads; ++w) {
        pool.emplace_back([&, w] {
            std::vector<float> row(static_cast<size_t>(cols));
            for (int64_t r = w; r < rows; r += n_threads) {
                const uint64_t base =
                    llcuda::splitmix64(seed ^ llcuda::splitmix64(index * 0x100000001ull + static_cast<uint64_t>(r)));
                for (int64_t c = 0; c < cols; ++c) {
                    const float u = llcuda::sampling_uniform(base, static_cast<int32_t>(c));
                    row[static_cast<size_t>(c)] = t.center + t.spread * (2.0f * u - 1.0f);
                }
                uint64_t written = 0;
                if (llcuda_quantize(t.type, row.data(), cols, out.data() + r * row_size, row_size, &written) !=
                    LLCUDA_OK) {
                    errors[w] = t.name + ": " + llcuda_last_error();
                    return;
                }
            }
        });
    }
    for (auto &th : pool) th.join();
    for (const std::string &e : errors)
        if (!e.empty()) throw std::runtime_error(e);
    return out;
}

int write_plan(GgufWriter &w, const std::vector<TensorPlan> &plan, uint64_t seed, const std::string &out_path,
               const char *shape_name, const char *mix_name) {
    std::vector<uint64_t> sizes;
    sizes.reserve(plan.size());
    for (const TensorPlan &t : plan) sizes.push_back(w.add_tensor(t.name, t.type, t.ne));
    w.begin(out_path);
    uint64_t total = 0;
    for (size_t i = 0; i < plan.size(); ++i) {
        const std::vector<uint8_t> data = make_tensor(plan[i], seed, i, sizes[i]);
        w.write_tensor_data(data.data(), data.size());
        total += sizes[i];
    }
    w.finish();
    std::printf("llcuda-synth: wrote %s (%s shape, %s, %zu tensors, %.2f GiB of weights)\n", out_path.c_str(),
                shape_name, mix_name, plan.size(), total / (1024.0 * 1024.0 * 1024.0));
    return 0;
}

// A qwen3/gemma/phi3 family model with the types llama-quantize gives its tensors in `mix`; a tied
// token_embd is also the output projection, so it takes the output's type, as llama-quantize does
// for files without output.weight.
int write_family(const llcuda::tools::FamilyShape &family, const QuantMix &mix, const GgufFile &vocab, int64_t n_vocab,
                 uint64_t seed, const std::string &out_path) {
    GgufWriter w;
    llcuda::tools::add_family_metadata(w, family);
    w.add_string("general.name", std::string("synthetic-") + family.name + "-" + mix.name);
    w.add_u32("general.file_type", mix.file_type);
    w.add_u32("general.quantization_version", 2);
    for (const auto &kv : vocab.values())
        if (kv.first.rfind("tokenizer.", 0) == 0) w.add_raw(kv.second.raw);
    const float spread = 0.035f;
    const std::vector<llcuda::tools::FamilyTensor> tensors = llcuda::tools::family_tensors(family, n_vocab);
    const bool tied =
        std::none_of(tensors.begin(), tensors.end(), [](const auto &t) { return t.name == "output.weight"; });
    std::vector<TensorPlan> plan;
    for (const llcuda::tools::FamilyTensor &t : tensors) {
        if (t.norm) {
            plan.push_back({t.name, LLCUDA_TYPE_F32, t.ne, 1.0f, 0.1f, t.values});
            continue;
        }
        int layer = -1;
        std::sscanf(t.name.c_str(), "blk.%d.", &layer);
        const std::string role = tied && t.name == "token_embd.weight" ? "output.weight" : t.name;
        // The converter writes the router in F32 and llama-quantize leaves it so.
        const bool router = t.name.find("ffn_gate_inp.weight") != std::string::npos;
        const int32_t type =
            router ? LLCUDA_TYPE_F32
                   : llcuda::tools::quant_mix_type(mix, {role, t.ne[0], layer, family.n_layer,
                                                         family.n_head / family.n_head_kv, family.n_expert});
        plan.push_back({t.name, type, t.ne, 0.0f, spread});
    }
    return write_plan(w, plan, seed, out_path, family.name, mix.name);
}

// A BGE-style encoder: metadata and tensors as convert_hf_to_gguf.py writes a BertModel (or, for
// nomic-bert, a NomicBertModel: no position table, RoPE base 1000, fused QKV, SwiGLU without FFN
// biases). Position and token-type tables stay F32 like the norms; the matrices take the mix's types.
int write_bert(const GgufFile &vocab, uint64_t seed, const std::string &out_path, const Shape &shape,
               const QuantMix &mix) {
    const int64_t n_vocab = static_cast<int64_t>(vocab.value("tokenizer.ggml.tokens").array_count);
    const int64_t n_types = vocab.get_int("tokenizer.ggml.token_type_count", 2);
    const std::string arch = shape.encoder;
    const bool nomic = arch == "nomic-bert";
    GgufWriter w;
    w.add_string("general.architecture", arch);
    w.add_string("general.name", std::string("synthetic-") + shape.name + "-" + mix.name);
    w.add_u32("general.file_type", mix.file_type);
    w.add_u32("general.quantization_version", 2);
    w.add_u32(arch + ".context_length", static_cast<uint32_t>(shape.n_ctx));
    w.add_u32(arch + ".embedding_length", static_cast<uint32_t>(shape.n_embd));
    w.add_u32(arch + ".block_count", static_cast<uint32_t>(shape.n_layer));
    w.add_u32(arch + ".feed_forward_length", static_cast<uint32_t>(shape.n_ff));
    w.add_u32(arch + ".attention.head_count", static_cast<uint32_t>(shape.n_head));
    w.add_f32(arch + ".attention.layer_norm_epsilon", 1e-12f);
    w.add_bool(arch + ".attention.causal", false);
    w.add_u32(arch + ".pooling_type", LLCUDA_POOLING_MEAN);
    if (nomic) w.add_f32(arch + ".rope.freq_base", 1000.0f);
    for (const auto &kv : vocab.values())
        if (kv.first.rfind("tokenizer.", 0) == 0) w.add_raw(kv.second.raw);
    if (!vocab.values().count("tokenizer.ggml.token_type_count"))
        w.add_u32("tokenizer.ggml.token_type_count", static_cast<uint32_t>(n_types));

    const int64_t E = shape.n_embd, F = shape.n_ff;
    const float spread = 0.035f;
    std::vector<TensorPlan> plan;
    plan.push_back({"token_embd.weight", mix.base, {E, n_vocab}, 0.0f, 0.5f});
    if (!nomic) plan.push_back({"position_embd.weight", LLCUDA_TYPE_F32, {E, shape.n_ctx}, 0.0f, 0.5f});
    plan.push_back({"token_types.weight", LLCUDA_TYPE_F32, {E, n_types}, 0.0f, 0.5f});
    plan.push_back({"token_embd_norm.weight", LLCUDA_TYPE_F32, {E}, 1.0f, 0.1f});
    plan.push_back({"token_embd_norm.bias", LLCUDA_TYPE_F32, {E}, 0.0f, 0.1f});
    for (int i = 0; i < shape.n_layer; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        if (nomic) {
            plan.push_back({p + "attn_qkv.weight", mix.base, {E, 3 * E}, 0.0f, spread * 3});
            plan.push_back({p + "attn_qkv.bias", LLCUDA_TYPE_F32, {3 * E}, 0.0f, 0.1f});
        }
        for (const char *name : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
            if (nomic && std::string(name) != "attn_output") continue;
            plan.push_back({p + name + ".weight", mix.base, {E, E}, 0.0f, spread * 3});
            plan.push_back({p + name + ".bias", LLCUDA_TYPE_F32, {E}, 0.0f, 0.1f});
        }
        plan.push_back({p + "attn_output_norm.weight", LLCUDA_TYPE_F32, {E}, 1.0f, 0.1f});
        plan.push_back({p + "attn_output_norm.bias", LLCUDA_TYPE_F32, {E}, 0.0f, 0.1f});
        plan.push_back({p + "ffn_up.weight", mix.base, {E, F}, 0.0f, spread * 3});
        if (nomic) plan.push_back({p + "ffn_gate.weight", mix.base, {E, F}, 0.0f, spread * 3});
        if (!nomic) plan.push_back({p + "ffn_up.bias", LLCUDA_TYPE_F32, {F}, 0.0f, 0.1f});
        plan.push_back({p + "ffn_down.weight", mix.base, {F, E}, 0.0f, spread * 3});
        if (!nomic) plan.push_back({p + "ffn_down.bias", LLCUDA_TYPE_F32, {E}, 0.0f, 0.1f});
        plan.push_back({p + "layer_output_norm.weight", LLCUDA_TYPE_F32, {E}, 1.0f, 0.1f});
        plan.push_back({p + "layer_output_norm.bias", LLCUDA_TYPE_F32, {E}, 0.0f, 0.1f});
    }
    // Each matrix takes the type llama-quantize gives it in this mix.
    for (TensorPlan &t : plan) {
        if (t.type == LLCUDA_TYPE_F32) continue;
        int layer = -1;
        std::sscanf(t.name.c_str(), "blk.%d.", &layer);
        t.type = llcuda::tools::quant_mix_type(mix, {t.name, t.ne[0], layer, shape.n_layer, 1});
    }
    return write_plan(w, plan, seed, out_path, shape.name, mix.name);
}

// See ADAPTER above.
int write_adapter(const std::string &model_path, const QuantMix &mix, int rank, float alpha, uint64_t seed,
                  const std::string &out_path) {
    if (mix.base != LLCUDA_TYPE_F32 && mix.base != LLCUDA_TYPE_F16 && mix.base != LLCUDA_TYPE_BF16 &&
        mix.base != LLCUDA_TYPE_Q8_0)
        throw std::runtime_error(std::string("adapter type ") + mix.name +
                                 " is not one the converter writes (F32, F16, BF16, Q8_0)");
    const GgufFile model(model_path);
    const std::string arch = model.get_string("general.architecture");
    const int64_t n_layer = model.get_int(arch + ".block_count");
    GgufWriter w;
    w.add_string("general.architecture", arch);
    w.add_string("general.type", "adapter");
    w.add_string("general.name", "synthetic-lora-r" + std::to_string(rank) + "-" + mix.name);
    w.add_string("adapter.type", "lora");
    w.add_f32("adapter.lora.alpha", alpha);
    const float scale = alpha != 0.0f ? alpha / static_cast<float>(rank) : 1.0f;
    const int block = llcuda::type_traits(mix.base)->block_size;
    std::vector<TensorPlan> plan;
    for (int64_t l = 0; l < n_layer; ++l) {
        for (const char *target : {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"}) {
            const std::string base = "blk." + std::to_string(l) + "." + target + ".weight";
            const llcuda::tools::GgufTensor *t = model.find_tensor(base);
            if (t == nullptr) throw std::runtime_error(model_path + " has no tensor " + base);
            const int64_t n_in = t->ne[0], n_out = t->ne[1];
            // Uniform +-spread has std spread / sqrt(3): A x of unit size, scale * B A x about half
            // of W x for weights of std 0.02 (the synthetic models').
            const float spread_a = std::sqrt(3.0f / static_cast<float>(n_in));
            const float spread_b = std::sqrt(3.0f) * 0.01f * std::sqrt(static_cast<float>(n_in)) /
                                   (scale * std::sqrt(static_cast<float>(rank)));
            plan.push_back(
                {base + ".lora_a", n_in % block == 0 ? mix.base : LLCUDA_TYPE_F16, {n_in, rank}, 0.0f, spread_a});
            plan.push_back(
                {base + ".lora_b", rank % block == 0 ? mix.base : LLCUDA_TYPE_F16, {rank, n_out}, 0.0f, spread_b});
        }
    }
    return write_plan(w, plan, seed, out_path, ("adapter of " + model_path).c_str(), mix.name);
}

void usage() {
    std::fprintf(stderr,
                 "usage: llcuda-synth --shape tinyllama|llama2-7b|micro|micro-576|llama3.2-1b|micro-llama3|\n"
                 "                            micro-qwen2-yarn|micro-h80|micro-h96|micro-h256|bert-micro|nomic-micro|\n"
                 "                            bge-small|bge-base|nomic-embed|%s\n"
                 "                    --type %s\n"
                 "                    --vocab VOCAB.gguf --out MODEL.gguf [--seed S] [--rope-orig-ctx N]\n"
                 "       llcuda-synth --adapter-of MODEL.gguf --type F32|F16|BF16|Q8_0 --rank R --alpha A --out "
                 "ADAPTER.gguf [--seed S]\n",
                 llcuda::tools::family_shape_names().c_str(), llcuda::tools::quant_mix_names().c_str());
}

int run(int argc, char **argv) {
    std::string shape_name, type_name, vocab_path, out_path, adapter_of;
    uint64_t seed = 1;
    int rope_orig_ctx = 0, rank = 0;
    float alpha = 0.0f;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) {
            usage();
            return 2;
        }
        const std::string v = argv[++i];
        if (a == "--shape")
            shape_name = v;
        else if (a == "--type")
            type_name = v;
        else if (a == "--vocab")
            vocab_path = v;
        else if (a == "--out")
            out_path = v;
        else if (a == "--seed")
            seed = std::stoull(v);
        else if (a == "--rope-orig-ctx")
            rope_orig_ctx = std::stoi(v);
        else if (a == "--adapter-of")
            adapter_of = v;
        else if (a == "--rank")
            rank = std::stoi(v);
        else if (a == "--alpha")
            alpha = std::stof(v);
        else {
            usage();
            return 2;
        }
    }
    if (!adapter_of.empty()) {
        const QuantMix *mix = llcuda::tools::find_quant_mix(type_name);
        if (mix == nullptr || rank < 1 || out_path.empty() || !shape_name.empty() || !vocab_path.empty()) {
            usage();
            return 2;
        }
        return write_adapter(adapter_of, *mix, rank, alpha, seed, out_path);
    }
    if (rank != 0 || alpha != 0.0f) {
        usage();
        return 2;
    }
    const Shape *shape = nullptr;
    for (const Shape &s : kShapes)
        if (shape_name == s.name) shape = &s;
    const llcuda::tools::FamilyShape *family = llcuda::tools::find_family_shape(shape_name);
    const QuantMix *mix = llcuda::tools::find_quant_mix(type_name);
    if ((!shape && !family) || !mix || vocab_path.empty() || out_path.empty()) {
        usage();
        return 2;
    }
    if (rope_orig_ctx < 0 || (rope_orig_ctx > 0 && (!shape || shape->rope == Rope::None))) {
        usage();
        return 2;
    }

    const GgufFile vocab(vocab_path);
    const int64_t n_vocab = static_cast<int64_t>(vocab.value("tokenizer.ggml.tokens").array_count);
    if (family != nullptr) return write_family(*family, *mix, vocab, n_vocab, seed, out_path);
    if (shape->encoder != nullptr) return write_bert(vocab, seed, out_path, *shape, *mix);
    const int orig_ctx = rope_orig_ctx > 0 ? rope_orig_ctx : shape->rope_orig_ctx;
    const std::string arch = shape->arch;
    const int head_dim = shape->n_embd / shape->n_head;
    GgufWriter w;
    w.add_string("general.architecture", arch);
    w.add_string("general.name", std::string("synthetic-") + shape->name + "-" + mix->name);
    w.add_u32("general.file_type", static_cast<uint32_t>(mix->file_type));
    w.add_u32("general.quantization_version", 2);
    w.add_u32(arch + ".context_length", static_cast<uint32_t>(shape->n_ctx));
    w.add_u32(arch + ".embedding_length", static_cast<uint32_t>(shape->n_embd));
    w.add_u32(arch + ".block_count", static_cast<uint32_t>(shape->n_layer));
    w.add_u32(arch + ".feed_forward_length", static_cast<uint32_t>(shape->n_ff));
    w.add_u32(arch + ".attention.head_count", static_cast<uint32_t>(shape->n_head));
    w.add_u32(arch + ".attention.head_count_kv", static_cast<uint32_t>(shape->n_head_kv));
    w.add_u32(arch + ".rope.dimension_count", static_cast<uint32_t>(head_dim));
    w.add_f32(arch + ".rope.freq_base", shape->theta);
    w.add_f32(arch + ".attention.layer_norm_rms_epsilon", 1e-5f);
    w.add_u32(arch + ".vocab_size", static_cast<uint32_t>(n_vocab));
    if (shape->rope == Rope::Yarn) {  // as llama.cpp's converter writes Qwen2.5's YaRN
        w.add_string(arch + ".rope.scaling.type", "yarn");
        w.add_f32(arch + ".rope.scaling.factor", shape->rope_factor);
        w.add_u32(arch + ".rope.scaling.original_context_length", static_cast<uint32_t>(orig_ctx));
    }
    for (const auto &kv : vocab.values())
        if (kv.first.rfind("tokenizer.", 0) == 0) w.add_raw(kv.second.raw);

    const int64_t E = shape->n_embd, F = shape->n_ff;
    const int64_t KV = static_cast<int64_t>(shape->n_head_kv) * (E / shape->n_head);
    const float spread = 0.035f;  // uniform +-0.035: std 0.02, like initialised transformer weights
    std::vector<TensorPlan> plan;
    plan.push_back({"token_embd.weight", mix->base, {E, n_vocab}, 0.0f, spread});
    if (shape->rope == Rope::Llama3)  // the converter writes the factors and no scaling metadata
        plan.push_back({"rope_freqs.weight",
                        LLCUDA_TYPE_F32,
                        {head_dim / 2},
                        0.0f,
                        0.0f,
                        llama3_rope_factors(head_dim, shape->theta, shape->rope_factor, orig_ctx)});
    for (int i = 0; i < shape->n_layer; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        plan.push_back({p + "attn_norm.weight", LLCUDA_TYPE_F32, {E}, 1.0f, 0.1f});
        plan.push_back({p + "attn_q.weight", mix->base, {E, E}, 0.0f, spread});
        plan.push_back({p + "attn_k.weight", mix->base, {E, KV}, 0.0f, spread});
        plan.push_back({p + "attn_v.weight", mix->base, {E, KV}, 0.0f, spread});
        if (arch == "qwen2") {
            plan.push_back({p + "attn_q.bias", LLCUDA_TYPE_F32, {E}, 0.0f, 0.5f});
            plan.push_back({p + "attn_k.bias", LLCUDA_TYPE_F32, {KV}, 0.0f, 0.5f});
            plan.push_back({p + "attn_v.bias", LLCUDA_TYPE_F32, {KV}, 0.0f, 0.5f});
        }
        plan.push_back({p + "attn_output.weight", mix->base, {E, E}, 0.0f, spread});
        plan.push_back({p + "ffn_norm.weight", LLCUDA_TYPE_F32, {E}, 1.0f, 0.1f});
        plan.push_back({p + "ffn_gate.weight", mix->base, {E, F}, 0.0f, spread});
        plan.push_back({p + "ffn_up.weight", mix->base, {E, F}, 0.0f, spread});
        plan.push_back({p + "ffn_down.weight", mix->base, {F, E}, 0.0f, spread});
    }
    plan.push_back({"output_norm.weight", LLCUDA_TYPE_F32, {E}, 1.0f, 0.1f});
    plan.push_back({"output.weight", mix->base, {E, n_vocab}, 0.0f, spread});
    // Each matrix takes the type llama-quantize gives it in this mix.
    for (TensorPlan &t : plan) {
        if (t.type == LLCUDA_TYPE_F32) continue;
        int layer = -1;
        std::sscanf(t.name.c_str(), "blk.%d.", &layer);
        t.type = llcuda::tools::quant_mix_type(
            *mix, {t.name, t.ne[0], layer, shape->n_layer, shape->n_head / shape->n_head_kv});
    }

    return write_plan(w, plan, seed, out_path, shape->name, mix->name);
}

}  // namespace

int main(int argc, char **argv) {
    return llcuda::tools::run_tool_main("llcuda-synth", run, argc, argv);
}
