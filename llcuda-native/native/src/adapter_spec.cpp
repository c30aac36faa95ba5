// Validation of a caller's adapter spec against its base model: nothing in it is trusted.
#include "adapter_spec.h"

#include <cmath>
#include <map>
#include <string>

#include "error.h"
#include "model_file.h"

namespace llcuda {

namespace {

// GGUF names of the targets, in LoraTarget order.
constexpr const char *kTargetNames[kLoraTargets] = {"attn_q",   "attn_k", "attn_v",  "attn_output",
                                                    "ffn_gate", "ffn_up", "ffn_down"};

const TensorRef &base_tensor(const LayerTensors &l, LoraTarget target) {
    switch (target) {
        case LoraTarget::Q:
            return l.wq;
        case LoraTarget::K:
            return l.wk;
        case LoraTarget::V:
            return l.wv;
        case LoraTarget::O:
            return l.wo;
        case LoraTarget::Gate:
            return l.ffn_gate;
        case LoraTarget::Up:
            return l.ffn_up;
        case LoraTarget::Down:
            return l.ffn_down;
    }
    fail(LLCUDA_ERR_INTERNAL, "unknown LoRA target");
}

struct Slot {
    int32_t layer;
    LoraTarget target;
    bool is_b;
};

// "blk.N.P.weight.lora_a|b" -> its slot, or false for any other name.
bool parse_name(const std::string &name, int32_t n_layer, Slot &slot) {
    const std::string suffix_a = ".weight.lora_a", suffix_b = ".weight.lora_b";
    if (name.rfind("blk.", 0) != 0 || name.size() < suffix_a.size()) return false;
    const std::string suffix = name.substr(name.size() - suffix_a.size());
    if (suffix != suffix_a && suffix != suffix_b) return false;
    slot.is_b = suffix == suffix_b;
    const size_t dot = name.find('.', 4);
    const std::string layer = name.substr(4, dot == std::string::npos ? 0 : dot - 4);
    if (layer.empty() || layer.size() > 5 || layer.find_first_not_of("0123456789") != std::string::npos) return false;
    slot.layer = std::stoi(layer);
    if (slot.layer >= n_layer) return false;
    const std::string projection = name.substr(dot + 1, name.size() - suffix_a.size() - dot - 1);
    for (int i = 0; i < kLoraTargets; ++i) {
        if (projection == kTargetNames[i]) {
            slot.target = static_cast<LoraTarget>(i);
            return true;
        }
    }
    return false;
}

}  // namespace

std::vector<TensorRef *> AdapterSpec::tensors() {
    std::vector<TensorRef *> all;
    for (auto &layer : layers)
        for (LoraPair &p : layer)
            if (p.present()) {
                all.push_back(&p.a);
                all.push_back(&p.b);
            }
    return all;
}

AdapterSpec build_adapter_spec(const llcuda_adapter_spec &s, const ModelSpec &model, const ModelFile &file) {
    const std::string context = "adapter '" + file.path() + "'";
    if (model.arch != LLCUDA_ARCH_LLAMA && model.arch != LLCUDA_ARCH_QWEN2 && model.arch != LLCUDA_ARCH_QWEN3) {
        fail(LLCUDA_ERR_UNSUPPORTED,
             context + ": LoRA adapters run on llama, qwen2 and qwen3 models; this model's architecture is " +
                 std::to_string(model.arch));
    }
    require(std::isfinite(s.alpha), context + ": alpha " + std::to_string(s.alpha) + " is not finite");
    require(std::isfinite(s.user_scale), context + ": user_scale " + std::to_string(s.user_scale) + " is not finite");
    require(s.n_tensors >= 2 && s.n_tensors <= 2 * kLoraTargets * model.n_layer,
            context + ": n_tensors = " + std::to_string(s.n_tensors) + " is outside [2, " +
                std::to_string(2 * kLoraTargets * model.n_layer) + "] (an A and a B per projection)");
    require(s.tensors != nullptr, context + ": tensors is NULL");

    AdapterSpec adapter;
    adapter.layers.resize(static_cast<size_t>(model.n_layer));
    for (int32_t i = 0; i < s.n_tensors; ++i) {
        TensorRef t = read_descriptor(s.tensors[i], i, file, context);
        Slot slot{};
        require(parse_name(t.name, model.n_layer, slot),
                context + ": tensor '" + t.name +
                    "' is not the lora_a or lora_b of a projection this model has "
                    "(blk.0-" +
                    std::to_string(model.n_layer - 1) +
                    ".{attn_q,attn_k,attn_v,attn_output,ffn_gate,ffn_up,ffn_down}.weight.lora_a|lora_b)");
        LoraPair &pair = adapter.layers[static_cast<size_t>(slot.layer)][static_cast<size_t>(slot.target)];
        TensorRef &half = slot.is_b ? pair.b : pair.a;
        require(!half.present(), context + ": tensor '" + t.name + "' appears twice");
        half = std::move(t);
    }
    for (int32_t l = 0; l < model.n_layer; ++l) {
        for (int i = 0; i < kLoraTargets; ++i) {
            LoraPair &pair = adapter.layers[static_cast<size_t>(l)][static_cast<size_t>(i)];
            if (!pair.a.present() && !pair.b.present()) continue;
            const std::string base = "blk." + std::to_string(l) + "." + kTargetNames[i] + ".weight";
            require(pair.a.present() && pair.b.present(), context + ": '" + base +
                                                              (pair.a.present() ? ".lora_a" : ".lora_b") + "' has no " +
                                                              (pair.a.present() ? "lora_b" : "lora_a") + " beside it");
            const TensorRef &w = base_tensor(model.layers[static_cast<size_t>(l)], static_cast<LoraTarget>(i));
            const int64_t rank = pair.a.ne[1];
            require(rank >= 1 && rank <= w.cols() && rank <= w.rows(),
                    context + ": tensor '" + pair.a.name + "' has rank " + std::to_string(rank) + ", outside [1, " +
                        std::to_string(std::min(w.cols(), w.rows())) + "] for '" + base + "' " + shape_text(w.ne, 2));
            const int64_t want_a[3] = {w.cols(), rank, 1}, want_b[3] = {rank, w.rows(), 1};
            check_layout(pair.a, want_a, 2,
                         context + ": tensor '" + pair.a.name + "' (of '" + base + "' " + shape_text(w.ne, 2) + ")");
            check_layout(pair.b, want_b, 2,
                         context + ": tensor '" + pair.b.name + "' (of '" + base + "' " + shape_text(w.ne, 2) + ")");
            // As llama.cpp: alpha / rank per pair, the user's scale alone without an alpha.
            pair.scale = s.alpha != 0.0f ? s.user_scale * s.alpha / static_cast<float>(rank) : s.user_scale;
        }
    }
    return adapter;
}

}  // namespace llcuda
