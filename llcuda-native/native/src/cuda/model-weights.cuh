// A model's weights in device memory, shared by the decoder and the encoder: every distinct tensor
// uploaded once, and views of them as the kernels take them. Also the shape limits the kernels set,
// checked once at load.
#pragma once

#include <unordered_map>

#include "device-memory.cuh"
#include "kernels.cuh"
#include "model_file.h"
#include "model_spec.h"

namespace llcuda::cuda {

class ModelWeights {
  public:
    ModelWeights() = default;
    // Reads the bytes of spec's tensors from `file` through pinned staging (pread, so a file truncated
    // meanwhile is an error, never SIGBUS) and checks afterwards that the file did not change.
    ModelWeights(const ModelSpec &spec, const ModelFile &file);
    size_t size() const { return memory_.size(); }
    // An F32 vector (norm weights, biases); nullptr when the tensor is absent.
    const float *vec(const TensorRef &t) const;
    // A weight matrix; empty (data nullptr) when absent. Throws LLCUDA_ERR_UNSUPPORTED naming the
    // tensor when its type has no CUDA kernels.
    DeviceMatrix mat(const TensorRef &t) const;

  private:
    const uint8_t *at(const TensorRef &t) const { return memory_.as<uint8_t>() + offsets_.at(t.offset); }
    DeviceBuffer memory_;
    std::unordered_map<uint64_t, size_t> offsets_;  // file offset -> device offset
};

// Throws LLCUDA_ERR_UNSUPPORTED naming the limit when the attention, norm or product kernels cannot
// run the model's shape (head size, grouping, row lengths).
void check_supported_shape(const ModelSpec &spec);

}  // namespace llcuda::cuda
