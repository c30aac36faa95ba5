#include "cpu/kernels.h"

#include <cstring>

#include "error.h"
#include "ggml_blocks.h"

namespace llcuda {

size_t act_row_bytes(ActFormat format, int64_t n) {
    switch (format) {
        case ActFormat::Q8_0:
            return static_cast<size_t>(n / QK8_0) * sizeof(BlockQ8_0);
        case ActFormat::Q8_K:
            return static_cast<size_t>(n / QK_K) * sizeof(BlockQ8_K);
        default:
            return static_cast<size_t>(n) * sizeof(float);
    }
}

void products(const WeightKernel &k, int64_t n, const void *weights, size_t w_stride, int64_t rows, const void *act,
              size_t act_stride, int64_t tokens, float *out, size_t out_stride) {
    if (k.tile != nullptr) return k.tile(n, weights, w_stride, rows, act, act_stride, tokens, out, out_stride);
    const auto *w = static_cast<const uint8_t *>(weights);
    const auto *a = static_cast<const uint8_t *>(act);
    for (int64_t t = 0; t < tokens; ++t)
        for (int64_t r = 0; r < rows; ++r) out[t * out_stride + r] = k.dot(n, w + r * w_stride, a + t * act_stride);
}

const WeightKernel &CpuKernels::for_type(int32_t type) const {
    switch (type) {
        case LLCUDA_TYPE_F32:
            return f32;
        case LLCUDA_TYPE_F16:
            return f16;
        case LLCUDA_TYPE_BF16:
            return bf16;
        case LLCUDA_TYPE_Q8_0:
            return q8_0;
        case LLCUDA_TYPE_Q4_0:
            return q4_0;
        case LLCUDA_TYPE_Q4_K:
            return q4_K;
        case LLCUDA_TYPE_Q5_K:
            return q5_K;
        case LLCUDA_TYPE_Q6_K:
            return q6_K;
        case LLCUDA_TYPE_Q4_1:
            return q4_1;
        case LLCUDA_TYPE_Q5_0:
            return q5_0;
        case LLCUDA_TYPE_Q5_1:
            return q5_1;
        case LLCUDA_TYPE_Q2_K:
            return q2_K;
        case LLCUDA_TYPE_Q3_K:
            return q3_K;
        case LLCUDA_TYPE_IQ4_NL:
            return iq4_nl;
        case LLCUDA_TYPE_IQ4_XS:
            return iq4_xs;
        case LLCUDA_TYPE_NF4:
            return nf4;
        default:
            fail(LLCUDA_ERR_INTERNAL, "no CPU kernel for weight type " + std::to_string(type));
    }
}

void CpuKernels::quantize(ActFormat format, const float *x, void *dst, int64_t n) const {
    switch (format) {
        case ActFormat::Q8_0:
            return quantize_q8_0(x, dst, n);
        case ActFormat::Q8_K:
            return quantize_q8_K(x, dst, n);
        default:
            std::memcpy(dst, x, static_cast<size_t>(n) * sizeof(float));
    }
}

const CpuKernels &kernels_for(SimdLevel level) {
    switch (level) {
        case SimdLevel::Avx512:
            return avx512_kernels();
        case SimdLevel::Avx2:
            return avx2_kernels();
        default:
            return scalar_kernels();
    }
}

}  // namespace llcuda
