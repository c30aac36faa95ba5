// llcuda-embed: the pooled, L2-normalised embeddings of an encoder GGUF (bert, nomic-bert) on the
// CPU or CUDA backend, all inputs in one llcuda_embed call; one line of floats per input, for
// comparing with llama.cpp. With --bench NxL it instead embeds N random inputs of L tokens in one
// call (after one untimed call) and prints the embeddings per second.
//
//   llcuda-embed --model MODEL.gguf (--tokens "101 2023 102" [--tokens "..."]... | --bench 512x128)
//                [--backend cpu|cuda] [--threads N] [--runs R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "gguf-file.h"
#include "llcuda.h"
#include "model-spec-from-gguf.h"
#include "tool-main.h"

namespace {

void require_ok(llcuda_status status, const char *what) {
    if (status != LLCUDA_OK) throw std::runtime_error(std::string(what) + ": " + llcuda_last_error());
}

struct Options {
    std::string model_path;
    std::vector<int32_t> offsets{0}, tokens;
    int32_t backend = LLCUDA_BACKEND_CPU, threads = 0, runs = 3;
    int32_t bench_inputs = 0, bench_length = 0;
};

Options parse(int argc, char **argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i], v = argv[i + 1];
        if (a == "--model") {
            o.model_path = v;
        } else if (a == "--threads") {
            o.threads = std::stoi(v);
        } else if (a == "--runs") {
            o.runs = std::max(1, std::stoi(v));
        } else if (a == "--backend") {
            if (v != "cpu" && v != "cuda") throw std::runtime_error("--backend is cpu or cuda, not " + v);
            o.backend = v == "cuda" ? LLCUDA_BACKEND_CUDA : LLCUDA_BACKEND_CPU;
        } else if (a == "--bench") {
            char x = 0;
            std::istringstream in(v);
            if (!(in >> o.bench_inputs >> x >> o.bench_length) || x != 'x' || o.bench_inputs < 1 || o.bench_length < 1)
                throw std::runtime_error("--bench takes INPUTSxTOKENS, e.g. 512x128, not " + v);
        } else if (a == "--tokens") {
            std::istringstream in(v);
            for (int32_t t; in >> t;) o.tokens.push_back(t);
            o.offsets.push_back(static_cast<int32_t>(o.tokens.size()));
        } else {
            throw std::runtime_error("unknown option " + a);
        }
    }
    return o;
}

int run(int argc, char **argv) {
    Options o = parse(argc, argv);
    if (argc % 2 == 0 || o.model_path.empty() || (o.offsets.size() < 2) == (o.bench_inputs == 0)) {
        std::fprintf(stderr,
                     "usage: llcuda-embed --model MODEL.gguf (--tokens \"ID ID ...\" [--tokens ...] | --bench NxL) "
                     "[--backend cpu|cuda] [--threads N] [--runs R]\n");
        return 2;
    }
    const llcuda::tools::GgufFile file(o.model_path);
    const llcuda::tools::GgufModelSpec spec = llcuda::tools::model_spec_from_gguf(file);
    if (o.bench_inputs > 0) {  // random tokens, avoiding the low ids where bert vocabularies keep their specials
        std::mt19937 rng(42);
        std::uniform_int_distribution<int32_t> id(std::min(1000, spec.spec.n_vocab - 1), spec.spec.n_vocab - 1);
        for (int32_t s = 0; s < o.bench_inputs; ++s) {
            for (int32_t t = 0; t < o.bench_length; ++t) o.tokens.push_back(id(rng));
            o.offsets.push_back(static_cast<int32_t>(o.tokens.size()));
        }
    }
    llcuda_backend *backend = nullptr;
    llcuda_model *model = nullptr;
    require_ok(llcuda_backend_create(o.backend, 0, o.threads, &backend), "backend");
    const int32_t n_seqs = static_cast<int32_t>(o.offsets.size()) - 1;
    std::vector<float> out(static_cast<size_t>(n_seqs) * spec.spec.n_embd);
    auto embed = [&] {
        return llcuda_embed(model, n_seqs, o.offsets.data(), o.tokens.data(), static_cast<int32_t>(o.tokens.size()),
                            out.data(), static_cast<int64_t>(out.size()));
    };
    llcuda_status status = llcuda_model_load(backend, o.model_path.c_str(), &spec.spec, &model);
    if (status == LLCUDA_OK) status = embed();
    double best = 0;
    for (int32_t r = 0; o.bench_inputs > 0 && status == LLCUDA_OK && r < o.runs; ++r) {
        const auto start = std::chrono::steady_clock::now();
        status = embed();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        best = std::max(best, n_seqs / seconds);
    }
    const std::string error = llcuda_last_error();
    llcuda_model_free(model);
    llcuda_backend_free(backend);
    if (status != LLCUDA_OK) throw std::runtime_error(o.model_path + ": " + error);
    if (o.bench_inputs > 0) {
        std::printf("%d inputs x %d tokens on %s: %.1f embeddings/s (%.0f tokens/s), best of %d\n", o.bench_inputs,
                    o.bench_length, o.backend == LLCUDA_BACKEND_CUDA ? "CUDA" : "CPU", best, best * o.bench_length,
                    o.runs);
        return 0;
    }
    for (int32_t s = 0; s < n_seqs; ++s) {
        for (int32_t i = 0; i < spec.spec.n_embd; ++i)
            std::printf(i ? " %.7g" : "%.7g", out[static_cast<size_t>(s) * spec.spec.n_embd + i]);
        std::printf("\n");
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    return llcuda::tools::run_tool_main("llcuda-embed", run, argc, argv);
}
