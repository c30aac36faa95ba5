#include "host_weights.h"

#include <unordered_map>

#include "error.h"

namespace llcuda {

namespace {
constexpr uint64_t kAlignment = 64;

uint64_t aligned(uint64_t bytes) {
    return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}
}  // namespace

HostWeights::HostWeights(ModelSpec &spec, const ModelFile &file) {
    read(spec.distinct_tensors(), spec.tensors(), file);
}

HostWeights::HostWeights(const std::vector<TensorRef *> &tensors, const ModelFile &file) {
    std::unordered_map<uint64_t, const TensorRef *> at_offset;
    for (const TensorRef *t : tensors) {
        const auto placed = at_offset.emplace(t->offset, t);
        require(placed.second, "tensors '" + placed.first->second->name + "' and '" + t->name + "' of '" + file.path() +
                                   "' share the offset " + std::to_string(t->offset));
    }
    read(std::vector<const TensorRef *>(tensors.begin(), tensors.end()), tensors, file);
}

void HostWeights::read(const std::vector<const TensorRef *> &distinct, const std::vector<TensorRef *> &all,
                       const ModelFile &file) {
    std::unordered_map<uint64_t, uint64_t> placement;  // file offset -> buffer offset
    uint64_t total = 0;
    for (const TensorRef *t : distinct) {
        placement[t->offset] = total;
        total += aligned(t->size);
        bytes_ += t->size;
    }
    buffer_.reset(static_cast<uint8_t *>(std::aligned_alloc(kAlignment, total)));
    if (!buffer_) {
        fail(LLCUDA_ERR_OUT_OF_MEMORY, "cannot allocate " + std::to_string(total) +
                                           " bytes of host memory for the tensors of '" + file.path() + "'");
    }
    for (const TensorRef *t : distinct) {
        file.read(t->offset, t->size, buffer_.get() + placement.at(t->offset), "tensor '" + t->name + "'");
    }
    file.check_unchanged();
    for (TensorRef *t : all) t->data = buffer_.get() + placement.at(t->offset);
}

}  // namespace llcuda
