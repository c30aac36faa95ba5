#include "cuda-adapter.cuh"

#include <algorithm>
#include <cstring>

#include "host_weights.h"
#include "quants.h"

namespace llcuda::cuda {
namespace {

// Each matrix starts on a 16-byte boundary (4 floats), the table's end too.
constexpr size_t kMatrixAlignFloats = 4;

size_t aligned_floats(int64_t n) {
    return (static_cast<size_t>(n) + kMatrixAlignFloats - 1) / kMatrixAlignFloats * kMatrixAlignFloats;
}

}  // namespace

CudaAdapter::CudaAdapter(const AdapterSpec &validated, const ModelFile &file) {
    AdapterSpec spec = validated;
    const HostWeights host(spec.tensors(), file);  // points spec's tensors at their bytes
    const size_t n_pairs = spec.layers.size() * kLoraTargets;
    size_t floats = 0;
    for (const auto &layer : spec.layers)
        for (const LoraPair &p : layer) {
            if (!p.present()) continue;
            if (p.rank() > kLoraMaxRank)
                fail(LLCUDA_ERR_UNSUPPORTED, "CUDA backend: adapter tensor '" + p.a.name + "' has rank " +
                                                 std::to_string(p.rank()) + "; the CUDA kernels take ranks up to " +
                                                 std::to_string(kLoraMaxRank));
            floats += aligned_floats(p.rank() * p.a.cols()) + aligned_floats(p.rank() * p.b.rows());
            max_rank_ = std::max(max_rank_, static_cast<int>(p.rank()));
        }
    const size_t table_bytes = aligned_floats(n_pairs * sizeof(LoraPairDevice) / sizeof(float)) * sizeof(float);
    memory_ = DeviceBuffer(table_bytes + floats * sizeof(float),
                           "LoRA adapter '" + file.path() + "' (" + std::to_string(floats) + " FP32 values)");
    std::vector<uint8_t> staging(memory_.size());
    auto *table = reinterpret_cast<LoraPairDevice *>(staging.data());
    auto *values = reinterpret_cast<float *>(staging.data() + table_bytes);
    const float *device_values = reinterpret_cast<const float *>(memory_.as<uint8_t>() + table_bytes);
    size_t at = 0;
    std::vector<float> b;
    for (size_t l = 0; l < spec.layers.size(); ++l)
        for (int i = 0; i < kLoraTargets; ++i) {
            const LoraPair &p = spec.layers[l][static_cast<size_t>(i)];
            LoraPairDevice &d = table[l * kLoraTargets + static_cast<size_t>(i)];
            d = LoraPairDevice{};
            if (!p.present()) continue;
            const int64_t rank = p.rank(), n_in = p.a.cols(), n_out = p.b.rows();
            d.rank = static_cast<int32_t>(rank);
            d.scale = p.scale;
            d.a = device_values + at;
            dequantize_row(p.a.type, p.a.data, values + at, rank * n_in);
            at += aligned_floats(rank * n_in);
            d.bt = device_values + at;
            b.resize(static_cast<size_t>(rank * n_out));
            dequantize_row(p.b.type, p.b.data, b.data(), rank * n_out);
            for (int64_t o = 0; o < n_out; ++o)
                for (int64_t j = 0; j < rank; ++j) values[at + j * n_out + o] = b[o * rank + j];
            at += aligned_floats(rank * n_out);
        }
    LLCUDA_CUDA_CHECK(cudaMemcpy(memory_.get(), staging.data(), staging.size(), cudaMemcpyHostToDevice));
}

LoraPlan plan_lora(const StepBatch &batch) {
    LoraPlan plan;
    std::vector<int32_t> stack_of(batch.seqs.size(), -1);
    int max_ranks = 0;
    for (size_t s = 0; s < batch.seqs.size(); ++s) {
        const SeqSpan &seq = batch.seqs[s];
        if (seq.n_adapters == 0) continue;
        LoraStack stack;
        int ranks = 0;
        for (int32_t k = 0; k < seq.n_adapters; ++k) {
            const auto *adapter = dynamic_cast<const CudaAdapter *>(seq.adapters[k].adapter);
            if (adapter == nullptr)
                fail(LLCUDA_ERR_INVALID_ARGUMENT, "a LoRA adapter of the batch belongs to another backend");
            stack.pairs[stack.n] = adapter->pairs();
            stack.scales[stack.n++] = seq.adapters[k].scale;
            ranks += adapter->max_rank();
        }
        if (ranks > kLoraMaxRank)
            fail(LLCUDA_ERR_UNSUPPORTED, "CUDA backend: the stacked adapters of sequence " + std::to_string(s) +
                                             " have ranks adding up to " + std::to_string(ranks) +
                                             "; the CUDA kernels take up to " + std::to_string(kLoraMaxRank));
        max_ranks = std::max(max_ranks, ranks);
        auto same = [&](const LoraStack &o) {
            return o.n == stack.n && std::equal(o.pairs, o.pairs + o.n, stack.pairs) &&
                   std::equal(o.scales, o.scales + o.n, stack.scales);
        };
        const auto found = std::find_if(plan.stacks.begin(), plan.stacks.end(), same);
        stack_of[s] = static_cast<int32_t>(found - plan.stacks.begin());
        if (found == plan.stacks.end()) plan.stacks.push_back(stack);
    }
    for (int32_t stack = 0; stack < static_cast<int32_t>(plan.stacks.size()); ++stack) {
        const size_t group_first = plan.tokens.size();
        for (size_t s = 0; s < batch.seqs.size(); ++s)
            if (stack_of[s] == stack)
                for (int32_t t = batch.seqs[s].first; t < batch.seqs[s].first + batch.seqs[s].count; ++t)
                    plan.tokens.push_back(t);
        for (size_t first = group_first; first < plan.tokens.size(); first += kLoraTileTokens)
            plan.tiles.push_back(
                LoraTile{stack, static_cast<int32_t>(first),
                         static_cast<int32_t>(std::min<size_t>(kLoraTileTokens, plan.tokens.size() - first))});
    }
    plan.counts = LoraCounts{static_cast<int32_t>(plan.tiles.size()), ceil_div(max_ranks, kLoraShrinkRows)};
    return plan;
}

void write_lora_meta(const LoraPlan &plan, const LoraMetaLayout &layout, void *meta) {
    auto *bytes = static_cast<uint8_t *>(meta);
    std::memcpy(bytes + layout.counts(), &plan.counts, sizeof(LoraCounts));
    std::memcpy(bytes + layout.stacks(), plan.stacks.data(), plan.stacks.size() * sizeof(LoraStack));
    std::memcpy(bytes + layout.tiles(), plan.tiles.data(), plan.tiles.size() * sizeof(LoraTile));
    std::memcpy(bytes + layout.tokens(), plan.tokens.data(), plan.tokens.size() * sizeof(int32_t));
}

}  // namespace llcuda::cuda
