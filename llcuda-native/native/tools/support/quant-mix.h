// The weight type of each tensor in the files llama-quantize writes for a given file type (its
// `llama_tensor_get_type` for llama-style models without experts or an importance matrix): the
// file type's base type, more bits for attn_v/ffn_down/attn_output in some layers, output.weight
// in Q6_K, and the fallback types for rows that are not a whole number of the type's blocks. One mix
// is llcuda's own: NF4 (bitsandbytes' 4-bit type) in every matrix.
#pragma once

#include <cstdint>
#include <string>

namespace llcuda::tools {

struct QuantMix {
    const char *name;    // e.g. "Q4_K_M"
    int32_t base;        // LLCUDA_TYPE_* of the tensors no rule changes
    uint32_t file_type;  // general.file_type (llama_ftype)
};

// The mix called `name`, or nullptr.
const QuantMix *find_quant_mix(const std::string &name);
// The names of all mixes, "|"-separated (for usage messages).
std::string quant_mix_names();

struct TensorSlot {
    std::string name;    // GGUF tensor name, e.g. "blk.3.ffn_down.weight"
    int64_t row_length;  // ne[0]
    int layer;           // block index, -1 for tensors outside the blocks
    int n_layer;
    int n_gqa;         // n_head / n_head_kv
    int n_expert = 0;  // experts per layer (0: dense)
};

// The type llama-quantize gives this weight matrix in a file of `mix`.
int32_t quant_mix_type(const QuantMix &mix, const TensorSlot &slot);

}  // namespace llcuda::tools
