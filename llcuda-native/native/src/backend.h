// The interface every backend (CPU, CUDA) implements behind the C ABI. api.cpp validates all
// caller input first; implementations may assume a validated ModelSpec and StepBatch and report
// failures by throwing llcuda::Error (never abort, never let a device error pass silently).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "error.h"
#include "adapter_spec.h"
#include "llcuda.h"
#include "model_file.h"
#include "model_spec.h"
#include "step_batch.h"

namespace llcuda {

class BackendKvCache {
  public:
    virtual ~BackendKvCache() = default;
    virtual int32_t n_blocks() const = 0;
    virtual int32_t block_size() const = 0;
};

// A LoRA adapter's tensors held by the backend of its model.
class BackendAdapter {
  public:
    virtual ~BackendAdapter() = default;
    virtual uint64_t bytes() const = 0;
};

class BackendModel {
  public:
    virtual ~BackendModel() = default;
    virtual uint64_t weight_bytes() const = 0;
    virtual uint64_t kv_cache_bytes(int32_t n_blocks, int32_t block_size, int32_t kv_type) const = 0;
    virtual std::unique_ptr<BackendKvCache> create_kv_cache(int32_t n_blocks, int32_t block_size, int32_t kv_type) = 0;
    // Forward pass of the batch, K/V written to `cache`, sampling and requested logits into `out`.
    virtual void step(BackendKvCache &cache, const StepBatch &batch, const StepResult &out) = 0;
    // Encoders: n_seqs pooled, L2-normalised rows of n_embd floats into `out` (decoders never get here).
    virtual void embed(const EmbedBatch &batch, float *out) {
        (void)batch;
        (void)out;
        fail(LLCUDA_ERR_INTERNAL, "embed called on a backend without an encoder pass");
    }
    // Reads a validated adapter's tensors from `file` into memory the adapter owns; the steps of
    // this model then take it in StepBatch's SeqSpan::adapter.
    // By value: a backend that runs adapters keeps the spec (NOLINT: this default only refuses).
    virtual std::unique_ptr<BackendAdapter> load_adapter(
        AdapterSpec spec,  // NOLINT(performance-unnecessary-value-param)
        const ModelFile &file) {
        (void)spec;
        (void)file;
        fail(LLCUDA_ERR_UNSUPPORTED, "this model's backend runs no LoRA adapters");
    }
};

class Backend {
  public:
    virtual ~Backend() = default;
    virtual llcuda_device_info info() const = 0;
    // Reads the weights of `spec` from `file` into memory the model owns (the CPU backend a host
    // copy, the CUDA backend device memory through a pinned staging buffer); the file is closed
    // after loading, so later changes to it cannot reach the model.
    virtual std::unique_ptr<BackendModel> load_model(const ModelSpec &spec, const ModelFile &file) = 0;
};

std::unique_ptr<Backend> create_cpu_backend(int32_t n_threads);
// Throws LLCUDA_ERR_UNSUPPORTED when built without CUDA.
std::unique_ptr<Backend> create_cuda_backend(int32_t device);
// 0 when built without CUDA or no device; `reason` says why.
int32_t cuda_device_count(std::string &reason);
llcuda_device_info cuda_device_info(int32_t device);

}  // namespace llcuda
