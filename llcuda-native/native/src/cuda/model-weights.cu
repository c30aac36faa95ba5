#include "model-weights.cuh"

#include <algorithm>

#include "ggml_blocks.h"

namespace llcuda::cuda {
namespace {

constexpr size_t kTensorAlignment = 256;
// Pinned host memory the weights pass through on their way to the device.
constexpr size_t kUploadStagingBytes = size_t{64} << 20;

bool is_supported_matrix_type(int32_t type) {
    switch (type) {
        case LLCUDA_TYPE_F32:
        case LLCUDA_TYPE_F16:
        case LLCUDA_TYPE_BF16:
        case LLCUDA_TYPE_Q8_0:
        case LLCUDA_TYPE_Q4_0:
        case LLCUDA_TYPE_Q4_K:
        case LLCUDA_TYPE_Q5_K:
        case LLCUDA_TYPE_Q6_K:
        case LLCUDA_TYPE_Q4_1:
        case LLCUDA_TYPE_Q5_0:
        case LLCUDA_TYPE_Q5_1:
        case LLCUDA_TYPE_Q2_K:
        case LLCUDA_TYPE_Q3_K:
        case LLCUDA_TYPE_IQ4_NL:
        case LLCUDA_TYPE_IQ4_XS:
        case LLCUDA_TYPE_NF4:
            return true;
        default:
            return false;
    }
}

}  // namespace

ModelWeights::ModelWeights(const ModelSpec &spec, const ModelFile &file) {
    // Every distinct tensor once (tied output/embedding share their bytes), 256-byte aligned so the
    // kernels' 16-byte loads are aligned; one staging buffer at a time.
    const std::vector<const TensorRef *> tensors = spec.distinct_tensors();
    size_t total = 0, largest = 0;
    for (const TensorRef *t : tensors) {
        offsets_[t->offset] = total;
        total += (t->size + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
        largest = std::max(largest, static_cast<size_t>(t->size));
    }
    memory_ = DeviceBuffer(total, "the weights (" + std::to_string(tensors.size()) + " tensors)");
    PinnedBuffer staging(std::min(largest, kUploadStagingBytes));
    for (const TensorRef *t : tensors) {
        for (size_t done = 0; done < t->size; done += staging.size()) {
            const size_t n = std::min(staging.size(), static_cast<size_t>(t->size) - done);
            file.read(t->offset + done, n, staging.as<uint8_t>(), "tensor '" + t->name + "'");
            LLCUDA_CUDA_CHECK(cudaMemcpy(memory_.as<uint8_t>() + offsets_.at(t->offset) + done, staging.get(), n,
                                         cudaMemcpyHostToDevice));
        }
    }
    file.check_unchanged();
}

const float *ModelWeights::vec(const TensorRef &t) const {
    return t.present() ? reinterpret_cast<const float *>(at(t)) : nullptr;
}

DeviceMatrix ModelWeights::mat(const TensorRef &t) const {
    if (!t.present()) return DeviceMatrix{};
    if (!is_supported_matrix_type(t.type))
        fail(LLCUDA_ERR_UNSUPPORTED, "CUDA backend: tensor " + t.name + " has type " + ggml_type_name(t.type) +
                                         ", which the CUDA backend does not support");
    DeviceMatrix m;
    m.type = t.type;
    m.rows = t.rows();
    m.cols = t.cols();
    m.row_bytes = row_bytes(t.type, t.cols());
    m.data = at(t);
    return m;
}

void check_supported_shape(const ModelSpec &s) {
    auto unsupported = [](const std::string &what) { fail(LLCUDA_ERR_UNSUPPORTED, "CUDA backend: " + what); };
    if (s.n_expert > kMaxExperts || s.n_expert_used > kMaxExpertsUsed)
        unsupported(std::to_string(s.n_expert_used) + " of " + std::to_string(s.n_expert) +
                    " experts per token (at most " + std::to_string(kMaxExpertsUsed) + " of " +
                    std::to_string(kMaxExperts) + ")");
    if (!attention_supports_head_dim(s.head_dim)) {
        std::string sizes;
        for (int d : kAttnHeadSizes) sizes += (sizes.empty() ? "" : ", ") + std::to_string(d);
        unsupported("head_dim " + std::to_string(s.head_dim) + " (supported: " + sizes + ")");
    }
    if (s.n_head_kv <= 0 || s.n_head % s.n_head_kv != 0 || s.n_head / s.n_head_kv > attention_rows(s.head_dim))
        unsupported(std::to_string(s.n_head) + " heads over " + std::to_string(s.n_head_kv) + " KV heads (at most " +
                    std::to_string(attention_rows(s.head_dim)) + " query heads per KV head at head_dim " +
                    std::to_string(s.head_dim) + ")");
    if (s.n_embd % 16 || s.q_dim() % 16 || (s.n_expert > 0 ? s.n_ff_expert : s.n_ff) % 16)
        unsupported(
            "n_embd, n_head*head_dim and n_ff (the experts' width in mixture-of-experts layers) must be multiples of "
            "16");
}

}  // namespace llcuda::cuda
