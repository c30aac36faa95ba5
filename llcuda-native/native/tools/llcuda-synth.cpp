// llcuda-synth: writes a GGUF model of a real shape with random weights and a real tokenizer, for
// benchmarks (llama.cpp can read the same file). Weight types follow llama.cpp's mixes: Q4_K_M and
// Q5_K_M put attn_v and ffn_down of the "more bits" layers (first and last eighth, every third in
// between) and output.weight in Q6_K; Q4_0 keeps output.weight in Q6_K. Quantization goes through
// llcuda_quantize, in parallel over rows.
//
// The bert-micro shape is an encoder laid out as llama.cpp's converter writes BGE models (absolute
// positions, token types, LayerNorms with biases, mean pooling), with the bert vocab given;
// nomic-micro one laid out as nomic-embed-text (nomic-bert: RoPE, fused QKV, SwiGLU).
//
//   llcuda-synth --shape tinyllama|llama2-7b|micro|bert-micro|nomic-micro --type F16|Q8_0|Q4_0|Q4_K_M|Q5_K_M|Q6_K
//                --vocab VOCAB.gguf --out MODEL.gguf [--seed S]
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ggml_blocks.h"
#include "gguf-file.h"
#include "llcuda.h"
#include "rng.h"
#include "tool-main.h"

namespace {

using llcuda::tools::GgufFile;
using llcuda::tools::GgufWriter;

struct Shape {
    const char *name;
    int n_embd, n_layer, n_head, n_head_kv, n_ff, n_ctx;
    const char *encoder = nullptr;  // general.architecture of an encoder shape
};
constexpr Shape kShapes[] = {
    {"tinyllama", 2048, 22, 32, 4, 5632, 2048},
    {"llama2-7b", 4096, 32, 32, 32, 11008, 4096},
    {"micro", 256, 2, 4, 2, 512, 256},
    {"bert-micro", 256, 2, 4, 4, 1024, 128, "bert"},
    {"nomic-micro", 256, 2, 4, 4, 1024, 128, "nomic-bert"},
};

struct Mix {
    const char *name;
    int32_t base, more_bits, output, file_type;
};
constexpr Mix kMixes[] = {
    {"F16", LLCUDA_TYPE_F16, LLCUDA_TYPE_F16, LLCUDA_TYPE_F16, 1},
    {"Q4_0", LLCUDA_TYPE_Q4_0, LLCUDA_TYPE_Q4_0, LLCUDA_TYPE_Q6_K, 2},
    {"Q8_0", LLCUDA_TYPE_Q8_0, LLCUDA_TYPE_Q8_0, LLCUDA_TYPE_Q8_0, 7},
    {"Q4_K_M", LLCUDA_TYPE_Q4_K, LLCUDA_TYPE_Q6_K, LLCUDA_TYPE_Q6_K, 15},
    {"Q5_K_M", LLCUDA_TYPE_Q5_K, LLCUDA_TYPE_Q6_K, LLCUDA_TYPE_Q6_K, 17},
    {"Q6_K", LLCUDA_TYPE_Q6_K, LLCUDA_TYPE_Q6_K, LLCUDA_TYPE_Q6_K, 18},
};

bool use_more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

struct TensorPlan {
    std::string name;
    int32_t type;
    std::vector<int64_t> ne;
    float center, spread;  // values uniform in center +- spread
};

// Fills one tensor (rows in parallel) and quantizes it.
std::vector<uint8_t> make_tensor(const TensorPlan &t, uint64_t seed, uint64_t index, uint64_t bytes) {
    const int64_t cols = t.ne[0];
    const int64_t rows = t.ne.size() > 1 ? t.ne[1] : 1;
    const uint64_t row_size = bytes / static_cast<uint64_t>(rows);
    std::vector<uint8_t> out(bytes);
    const unsigned n_threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> pool;
    std::vector<std::string> errors(n_threads);
    for (unsigned w = 0; w < n_threads; ++w) {
        pool.emplace_back([&, w] {
            std::vector<float> row(static_cast<size_t>(cols));
            for (int64_t r = w; r < rows; r += n_threads) {
                const uint64_t base = llcuda::splitmix64(seed ^ llcuda::splitmix64(index * 0x100000001ull + static_cast<uint64_t>(r)));
                for (int64_t c = 0; c < cols; ++c) {
                    const float u = llcuda::sampling_uniform(base, static_cast<int32_t>(c));
                    row[static_cast<size_t>(c)] = t.center + t.spread * (2.0f * u - 1.0f);
                }
                uint64_t written = 0;
                if (llcuda_quantize(t.type, row.data(), cols, out.data() + r * row_size, row_size, &written) != LLCUDA_OK) {
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

void write_model(GgufWriter &w, const std::vector<TensorPlan> &plan, uint64_t seed, const std::string &out_path, const Shape &shape,
                 const Mix &mix) {
    std::vector<uint64_t> sizes;
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
                shape.name, mix.name, plan.size(), total / (1024.0 * 1024.0 * 1024.0));
}

// A BGE-style encoder: metadata and tensors as convert_hf_to_gguf.py writes a BertModel (or, for
// nomic-bert, a NomicBertModel: no position table, RoPE base 1000, fused QKV, SwiGLU without FFN
// biases). Position and token-type tables stay F32 like the norms; the matrices take the mix's types.
void write_bert(const GgufFile &vocab, uint64_t seed, const std::string &out_path, const Shape &shape, const Mix &mix) {
    const int64_t n_vocab = static_cast<int64_t>(vocab.value("tokenizer.ggml.tokens").array_count);
    const int64_t n_types = vocab.get_int("tokenizer.ggml.token_type_count", 2);
    const std::string arch = shape.encoder;
    const bool nomic = arch == "nomic-bert";
    GgufWriter w;
    w.add_string("general.architecture", arch);
    w.add_string("general.name", std::string("synthetic-") + shape.name + "-" + mix.name);
    w.add_u32("general.file_type", static_cast<uint32_t>(mix.file_type));
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
    if (!vocab.values().count("tokenizer.ggml.token_type_count")) w.add_u32("tokenizer.ggml.token_type_count", static_cast<uint32_t>(n_types));

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
        const int32_t more = use_more_bits(i, shape.n_layer) ? mix.more_bits : mix.base;
        if (nomic) {
            plan.push_back({p + "attn_qkv.weight", mix.base, {E, 3 * E}, 0.0f, spread * 3});
            plan.push_back({p + "attn_qkv.bias", LLCUDA_TYPE_F32, {3 * E}, 0.0f, 0.1f});
        }
        for (const char *name : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
            if (nomic && std::string(name) != "attn_output") continue;
            plan.push_back({p + name + ".weight", std::string(name) == "attn_v" ? more : mix.base, {E, E}, 0.0f, spread * 3});
            plan.push_back({p + name + ".bias", LLCUDA_TYPE_F32, {E}, 0.0f, 0.1f});
        }
        plan.push_back({p + "attn_output_norm.weight", LLCUDA_TYPE_F32, {E}, 1.0f, 0.1f});
        plan.push_back({p + "attn_output_norm.bias", LLCUDA_TYPE_F32, {E}, 0.0f, 0.1f});
        plan.push_back({p + "ffn_up.weight", mix.base, {E, F}, 0.0f, spread * 3});
        if (nomic) plan.push_back({p + "ffn_gate.weight", mix.base, {E, F}, 0.0f, spread * 3});
        if (!nomic) plan.push_back({p + "ffn_up.bias", LLCUDA_TYPE_F32, {F}, 0.0f, 0.1f});
        plan.push_back({p + "ffn_down.weight", more, {F, E}, 0.0f, spread * 3});
        if (!nomic) plan.push_back({p + "ffn_down.bias", LLCUDA_TYPE_F32, {E}, 0.0f, 0.1f});
        plan.push_back({p + "layer_output_norm.weight", LLCUDA_TYPE_F32, {E}, 1.0f, 0.1f});
        plan.push_back({p + "layer_output_norm.bias", LLCUDA_TYPE_F32, {E}, 0.0f, 0.1f});
    }
    write_model(w, plan, seed, out_path, shape, mix);
}

void usage() {
    std::fprintf(stderr,
                 "usage: llcuda-synth --shape tinyllama|llama2-7b|micro|bert-micro|nomic-micro --type F16|Q8_0|Q4_0|Q4_K_M|Q5_K_M|Q6_K\n"
                 "                    --vocab VOCAB.gguf --out MODEL.gguf [--seed S]\n");
}

int run(int argc, char **argv) {
    std::string shape_name, type_name, vocab_path, out_path;
    uint64_t seed = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) { usage(); return 2; }
        const std::string v = argv[++i];
        if (a == "--shape") shape_name = v;
        else if (a == "--type") type_name = v;
        else if (a == "--vocab") vocab_path = v;
        else if (a == "--out") out_path = v;
        else if (a == "--seed") seed = std::stoull(v);
        else { usage(); return 2; }
    }
    const Shape *shape = nullptr;
    for (const Shape &s : kShapes) if (shape_name == s.name) shape = &s;
    const Mix *mix = nullptr;
    for (const Mix &m : kMixes) if (type_name == m.name) mix = &m;
    if (!shape || !mix || vocab_path.empty() || out_path.empty()) { usage(); return 2; }

    const GgufFile vocab(vocab_path);
    if (shape->encoder) {
        write_bert(vocab, seed, out_path, *shape, *mix);
        return 0;
    }
    const int64_t n_vocab = static_cast<int64_t>(vocab.value("tokenizer.ggml.tokens").array_count);
    GgufWriter w;
    w.add_string("general.architecture", "llama");
    w.add_string("general.name", std::string("synthetic-") + shape->name + "-" + mix->name);
    w.add_u32("general.file_type", static_cast<uint32_t>(mix->file_type));
    w.add_u32("general.quantization_version", 2);
    w.add_u32("llama.context_length", static_cast<uint32_t>(shape->n_ctx));
    w.add_u32("llama.embedding_length", static_cast<uint32_t>(shape->n_embd));
    w.add_u32("llama.block_count", static_cast<uint32_t>(shape->n_layer));
    w.add_u32("llama.feed_forward_length", static_cast<uint32_t>(shape->n_ff));
    w.add_u32("llama.attention.head_count", static_cast<uint32_t>(shape->n_head));
    w.add_u32("llama.attention.head_count_kv", static_cast<uint32_t>(shape->n_head_kv));
    w.add_u32("llama.rope.dimension_count", static_cast<uint32_t>(shape->n_embd / shape->n_head));
    w.add_f32("llama.rope.freq_base", 10000.0f);
    w.add_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    w.add_u32("llama.vocab_size", static_cast<uint32_t>(n_vocab));
    for (const auto &kv : vocab.values())
        if (kv.first.rfind("tokenizer.", 0) == 0) w.add_raw(kv.second.raw);

    const int64_t E = shape->n_embd, F = shape->n_ff;
    const int64_t KV = static_cast<int64_t>(shape->n_head_kv) * (E / shape->n_head);
    const float spread = 0.035f;  // uniform +-0.035: std 0.02, like initialised transformer weights
    std::vector<TensorPlan> plan;
    plan.push_back({"token_embd.weight", mix->base, {E, n_vocab}, 0.0f, spread});
    for (int i = 0; i < shape->n_layer; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        const int32_t more = use_more_bits(i, shape->n_layer) ? mix->more_bits : mix->base;
        plan.push_back({p + "attn_norm.weight", LLCUDA_TYPE_F32, {E}, 1.0f, 0.1f});
        plan.push_back({p + "attn_q.weight", mix->base, {E, E}, 0.0f, spread});
        plan.push_back({p + "attn_k.weight", mix->base, {E, KV}, 0.0f, spread});
        plan.push_back({p + "attn_v.weight", more, {E, KV}, 0.0f, spread});
        plan.push_back({p + "attn_output.weight", mix->base, {E, E}, 0.0f, spread});
        plan.push_back({p + "ffn_norm.weight", LLCUDA_TYPE_F32, {E}, 1.0f, 0.1f});
        plan.push_back({p + "ffn_gate.weight", mix->base, {E, F}, 0.0f, spread});
        plan.push_back({p + "ffn_up.weight", mix->base, {E, F}, 0.0f, spread});
        plan.push_back({p + "ffn_down.weight", more, {F, E}, 0.0f, spread});
    }
    plan.push_back({"output_norm.weight", LLCUDA_TYPE_F32, {E}, 1.0f, 0.1f});
    plan.push_back({"output.weight", mix->output, {E, n_vocab}, 0.0f, spread});

    write_model(w, plan, seed, out_path, *shape, *mix);
    return 0;
}

}  // namespace

int main(int argc, char **argv) { return llcuda::tools::run_tool_main("llcuda-synth", run, argc, argv); }
