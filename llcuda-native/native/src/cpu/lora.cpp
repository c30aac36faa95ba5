#include "cpu/lora.h"

#include <cstring>

#include "cpu/matmul.h"
#include "error.h"

namespace llcuda {

void group_by_adapter(const StepBatch &batch, std::vector<LoraGroup> &groups) {
    groups.clear();
    for (const SeqSpan &seq : batch.seqs) {
        for (int32_t k = 0; k < seq.n_adapters; ++k) {
            const SeqSpan::AdapterUse &use = seq.adapters[k];
            const CpuAdapter *adapter = dynamic_cast<const CpuAdapter *>(use.adapter);
            if (adapter == nullptr)
                fail(LLCUDA_ERR_INVALID_ARGUMENT, "a LoRA adapter of the batch belongs to another backend");
            LoraGroup *group = nullptr;
            for (LoraGroup &g : groups)
                if (g.adapter == adapter && g.scale == use.scale) group = &g;
            if (group == nullptr) {
                groups.push_back(LoraGroup{adapter, use.scale, {}});
                group = &groups.back();
            }
            for (int32_t t = seq.first; t < seq.first + seq.count; ++t) group->tokens.push_back(t);
        }
    }
}

void add_lora(const CpuKernels &kernels, ThreadPool &pool, const std::vector<LoraGroup> &groups, int32_t layer,
              LoraTarget target, const float *x, float *y, LoraScratch &s) {
    for (const LoraGroup &g : groups) {
        const LoraPair &pair = g.adapter->spec().pair(layer, target);
        if (!pair.present()) continue;
        const int64_t n = static_cast<int64_t>(g.tokens.size()), in = pair.a.cols(), rank = pair.rank(),
                      out = pair.b.rows();
        s.x.resize(static_cast<size_t>(n * in));
        for (int64_t i = 0; i < n; ++i) std::memcpy(&s.x[i * in], x + g.tokens[i] * in, in * sizeof(float));
        s.mid.resize(static_cast<size_t>(n * rank));
        s.delta.resize(static_cast<size_t>(n * out));
        matmul(kernels, pool, pair.a, nullptr, s.x.data(), n, s.mid.data(), s.act);
        matmul(kernels, pool, pair.b, nullptr, s.mid.data(), n, s.delta.data(), s.act);
        for (int64_t i = 0; i < n; ++i) {
            float *row = y + g.tokens[i] * out;
            const float *d = &s.delta[i * out];
            const float scale = g.scale * pair.scale;
            for (int64_t r = 0; r < out; ++r) row[r] += scale * d[r];
        }
    }
}

}  // namespace llcuda
