#include "host_weights.h"

#include <unordered_map>

#include "error.h"

namespace llcuda {

namespace {
constexpr uint64_t kAlignment = 64;

uint64_t aligned(uint64_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }
}  // namespace

HostWeights::HostWeights(ModelSpec &spec, const ModelFile &file) {
    std::unordered_map<uint64_t, uint64_t> placement;  // file offset -> buffer offset
    uint64_t total = 0;
    for (const TensorRef *t : spec.distinct_tensors()) {
        placement[t->offset] = total;
        total += aligned(t->size);
        bytes_ += t->size;
    }
    buffer_.reset(static_cast<uint8_t *>(std::aligned_alloc(kAlignment, total)));
    if (!buffer_) {
        fail(LLCUDA_ERR_OUT_OF_MEMORY, "cannot allocate " + std::to_string(total) + " bytes of host memory for the weights of '" +
                                           file.path() + "'");
    }
    for (const TensorRef *t : spec.distinct_tensors()) {
        file.read(t->offset, t->size, buffer_.get() + placement.at(t->offset), "tensor '" + t->name + "'");
    }
    file.check_unchanged();
    for (TensorRef *t : spec.tensors()) t->data = buffer_.get() + placement.at(t->offset);
}

}  // namespace llcuda
