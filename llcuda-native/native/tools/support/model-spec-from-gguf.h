// Builds the ABI's llcuda_model_spec from a GGUF file's metadata and tensor table, for the native
// tools and tests (the Java side does this in production).
#pragma once

#include <string>
#include <vector>

#include "gguf-file.h"
#include "llcuda.h"

namespace llcuda::tools {

struct GgufModelSpec {
    llcuda_model_spec spec{};
    std::vector<llcuda_tensor_desc> descs;  // spec.tensors points here
    std::vector<std::string> names;         // descs[i].name points here
};

// n_ctx <= 0 takes the file's context length.
GgufModelSpec model_spec_from_gguf(const GgufFile &file, int32_t n_ctx = 0);

}  // namespace llcuda::tools
