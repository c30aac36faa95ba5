#include "cpu/ops.h"

#include <cmath>

#include "cpu/kernels.h"
#include "llcuda.h"

namespace llcuda {

void rms_norm(const float *x, const float *weight, float *y, int64_t n, float eps) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
    const float scale = static_cast<float>(1.0 / std::sqrt(sum / static_cast<double>(n) + eps));
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale * weight[i];
}

void rope(float *head, int32_t rope_type, const RopeFrequencies &rope, int32_t pos) {
    const int32_t half = static_cast<int32_t>(rope.freq.size());
    for (int32_t i = 0; i < half; ++i) {
        const double angle = static_cast<double>(pos) * rope.freq[static_cast<size_t>(i)];
        const float c = static_cast<float>(std::cos(angle) * rope.mscale),
                    s = static_cast<float>(std::sin(angle) * rope.mscale);
        float *a = rope_type == LLCUDA_ROPE_NEOX ? head + i : head + 2 * i;
        float *b = rope_type == LLCUDA_ROPE_NEOX ? head + i + half : head + 2 * i + 1;
        const float x0 = *a, x1 = *b;
        *a = x0 * c - x1 * s;
        *b = x0 * s + x1 * c;
    }
}

void gelu_mul(const CpuKernels &kernels, float *gate, const float *up, int64_t n) {
    kernels.gelu(gate, n);
    for (int64_t i = 0; i < n; ++i) gate[i] *= up[i];
}

void soft_cap(float *x, int64_t n, float cap) {
    for (int64_t i = 0; i < n; ++i) x[i] = cap * std::tanh(x[i] / cap);
}

}  // namespace llcuda
