// LoRA adapters on the CPU: the base product runs once for the whole batch (matmul), then each
// adapter group adds scale * B (A x) to the rows of its own tokens, gathered into one product per
// group and projection rather than one pass per sequence.
#pragma once

#include <cstdint>
#include <vector>

#include "adapter_spec.h"
#include "backend.h"
#include "cpu/kernels.h"
#include "cpu/thread_pool.h"
#include "host_weights.h"
#include "step_batch.h"

namespace llcuda {

class CpuAdapter final : public BackendAdapter {
  public:
    CpuAdapter(AdapterSpec spec, const ModelFile &file) : spec_(std::move(spec)), weights_(spec_.tensors(), file) {}
    uint64_t bytes() const override { return weights_.bytes(); }
    const AdapterSpec &spec() const { return spec_; }

  private:
    AdapterSpec spec_;
    HostWeights weights_;  // after spec_: points its tensors at their bytes
};

// The tokens of one step that run with one adapter at one scale factor, in batch order.
struct LoraGroup {
    const CpuAdapter *adapter = nullptr;
    float scale = 1.0f;  // factor on the adapter's own scale (stacked adapters)
    std::vector<int32_t> tokens;
};

// Groups the batch's sequences by (adapter, factor); a sequence with stacked adapters belongs to a
// group per adapter, one without any to none.
void group_by_adapter(const StepBatch &batch, std::vector<LoraGroup> &groups);

struct LoraScratch {
    std::vector<float> x, mid, delta;
    std::vector<uint8_t> act;
};

// y[t] += factor * pair.scale * B (A x[t]) for every token t of every group whose adapter has a pair for
// (layer, target). x: [n_tokens][A's cols], y: [n_tokens][B's rows].
void add_lora(const CpuKernels &kernels, ThreadPool &pool, const std::vector<LoraGroup> &groups, int32_t layer,
              LoraTarget target, const float *x, float *y, LoraScratch &scratch);

}  // namespace llcuda
