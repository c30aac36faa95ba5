// The weights of a model copied once from its file into host memory the library owns, for the
// CPU backend to read in place. The file may be truncated or rewritten afterwards without harm.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "model_file.h"
#include "model_spec.h"

namespace llcuda {

class HostWeights {
  public:
    // Reads every distinct tensor of `spec` from `file` into one buffer (each tensor 64-byte
    // aligned for the SIMD kernels) and points the spec's tensors at it. Throws LLCUDA_ERR_IO when
    // the file ends early or changed while being read, LLCUDA_ERR_OUT_OF_MEMORY when the buffer
    // cannot be allocated.
    HostWeights(ModelSpec &spec, const ModelFile &file);
    // The same for tensors that share no bytes (an adapter's).
    HostWeights(const std::vector<TensorRef *> &tensors, const ModelFile &file);

    // Bytes of tensor data held (without alignment padding).
    uint64_t bytes() const { return bytes_; }

  private:
    // Reads `distinct` (one per file offset) and points every tensor of `all` at its bytes.
    void read(const std::vector<const TensorRef *> &distinct, const std::vector<TensorRef *> &all,
              const ModelFile &file);

    struct Free {
        void operator()(uint8_t *p) const { std::free(p); }
    };
    std::unique_ptr<uint8_t, Free> buffer_;
    uint64_t bytes_ = 0;
};

}  // namespace llcuda
