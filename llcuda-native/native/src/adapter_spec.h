// The validated C++ view of llcuda_adapter_spec: per layer and projection the low-rank pair
// (A [n_in, rank], B [rank, n_out]) and its scale, every tensor checked against the base model.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "llcuda.h"
#include "model_spec.h"

namespace llcuda {

// The projections an adapter may target, in the order of LayerTensors' matrices.
enum class LoraTarget : int { Q, K, V, O, Gate, Up, Down };
constexpr int kLoraTargets = 7;

struct LoraPair {
    TensorRef a;  // [n_in, rank]: rank rows of n_in
    TensorRef b;  // [rank, n_out]: n_out rows of rank
    float scale = 0.0f;
    bool present() const { return a.present(); }
    int64_t rank() const { return a.rows(); }
};

struct AdapterSpec {
    std::vector<std::array<LoraPair, kLoraTargets>> layers;  // [n_layer]
    const LoraPair &pair(int32_t layer, LoraTarget target) const {
        return layers[static_cast<size_t>(layer)][static_cast<size_t>(target)];
    }
    // Every tensor, for the backend to read (none shares bytes with another).
    std::vector<TensorRef *> tensors();
};

// Checks `spec` against the base model `model` and the adapter file: every tensor a known pair
// half of a projection the model has, A and B both present, shapes matching the projection and each
// other, types the engine reads, bytes inside the file. Throws llcuda::Error naming the tensor.
AdapterSpec build_adapter_spec(const llcuda_adapter_spec &spec, const ModelSpec &model, const ModelFile &file);

}  // namespace llcuda
