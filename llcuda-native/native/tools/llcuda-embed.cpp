// llcuda-embed: the pooled, L2-normalised embeddings of an encoder GGUF (bert) on the CPU backend,
// all inputs in one llcuda_embed call; one line of floats per input, for comparing with llama.cpp.
//
//   llcuda-embed --model MODEL.gguf --tokens "101 2023 102" [--tokens "..."]... [--threads N]
#include <cstdio>
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

int run(int argc, char **argv) {
    std::string model_path;
    std::vector<int32_t> offsets{0}, tokens;
    int32_t threads = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i], v = argv[i + 1];
        if (a == "--model") {
            model_path = v;
        } else if (a == "--threads") {
            threads = std::stoi(v);
        } else if (a == "--tokens") {
            std::istringstream in(v);
            for (int32_t t; in >> t;) tokens.push_back(t);
            offsets.push_back(static_cast<int32_t>(tokens.size()));
        } else {
            throw std::runtime_error("unknown option " + a);
        }
    }
    if (argc % 2 == 0 || model_path.empty() || offsets.size() < 2) {
        std::fprintf(stderr, "usage: llcuda-embed --model MODEL.gguf --tokens \"ID ID ...\" [--tokens ...] [--threads N]\n");
        return 2;
    }
    const llcuda::tools::GgufFile file(model_path);
    const llcuda::tools::GgufModelSpec spec = llcuda::tools::model_spec_from_gguf(file);
    llcuda_backend *backend = nullptr;
    llcuda_model *model = nullptr;
    require_ok(llcuda_backend_create(LLCUDA_BACKEND_CPU, 0, threads, &backend), "backend");
    const int32_t n_seqs = static_cast<int32_t>(offsets.size()) - 1;
    std::vector<float> out(static_cast<size_t>(n_seqs) * spec.spec.n_embd);
    llcuda_status status = llcuda_model_load(backend, model_path.c_str(), &spec.spec, &model);
    if (status == LLCUDA_OK)
        status = llcuda_embed(model, n_seqs, offsets.data(), tokens.data(), static_cast<int32_t>(tokens.size()), out.data(),
                              static_cast<int64_t>(out.size()));
    const std::string error = llcuda_last_error();
    llcuda_model_free(model);
    llcuda_backend_free(backend);
    if (status != LLCUDA_OK) throw std::runtime_error(model_path + ": " + error);
    for (int32_t s = 0; s < n_seqs; ++s) {
        for (int32_t i = 0; i < spec.spec.n_embd; ++i) std::printf(i ? " %.7g" : "%.7g", out[static_cast<size_t>(s) * spec.spec.n_embd + i]);
        std::printf("\n");
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv) { return llcuda::tools::run_tool_main("llcuda-embed", run, argc, argv); }
