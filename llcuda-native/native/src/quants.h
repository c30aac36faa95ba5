// Reference (scalar, portable) conversion between floats and the GGUF block formats. These define
// the formats' meaning for every backend; fast kernels are tested against them.
#pragma once

#include <cstdint>

#include "ggml_blocks.h"

namespace llcuda {

// Decodes `n` elements (whole blocks) of `type` to floats.
void dequantize_row(int32_t type, const void *src, float *dst, int64_t n);

// Encodes `n` floats (whole blocks) as `type`; K-quants search scales and mins like ggml's
// reference quantizers (weighted least squares over candidate scales), not a plain max scale.
void quantize_row(int32_t type, const float *src, void *dst, int64_t n);

// Activation format for K-quant dot products (scale from the signed maximum, 16-element sums).
void quantize_row_q8_K(const float *src, BlockQ8_K *dst, int64_t n);

// The 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K super-block.
inline void k4_scale_min(int j, const uint8_t *scales, int &scale, int &min) {
    if (j < 4) {
        scale = scales[j] & 63;
        min = scales[j + 4] & 63;
    } else {
        scale = (scales[j + 4] & 0xF) | ((scales[j - 4] >> 6) << 4);
        min = (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4);
    }
}

}  // namespace llcuda
