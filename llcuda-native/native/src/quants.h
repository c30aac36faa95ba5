// Reference (scalar, portable) conversion between floats and the GGUF block formats. These define
// the formats' meaning for every backend; fast kernels are tested against them.
#pragma once

#include <cstdint>
#include <cstring>

#include "ggml_blocks.h"
#include "half.h"
#include "host_device.h"
#include "k_quant_scales.h"

namespace llcuda {

// Decodes `n` elements (whole blocks) of `type` to floats.
void dequantize_row(int32_t type, const void *src, float *dst, int64_t n);

// Encodes `n` floats (whole blocks) as `type`; K-quants search scales and mins like ggml's
// reference quantizers (weighted least squares over candidate scales), not a plain max scale.
void quantize_row(int32_t type, const float *src, void *dst, int64_t n);

// Activation format for K-quant dot products (scale from the signed maximum, 16-element sums).
void quantize_row_q8_K(const float *src, BlockQ8_K *dst, int64_t n);

// The 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K super-block whose 12 packed
// scale bytes are in memory at `scales` (CPU and CUDA code alike).
LLCUDA_HD inline void k4_scale_min(int j, const uint8_t *scales, int &scale, int &min) {
    kquant_scale_min([scales](int i) { return static_cast<int>(scales[i]); }, j, scale, min);
}

// Bit 4 (0 or 16) of element l of sub-block `sub`: Q5_K keeps it in bit `sub` of qh[l]; Q4_K has
// none. The Q4_K/Q5_K reference loops are one template over the block type through these two.
inline int k_fifth_bit(const BlockQ4_K &, int, int) {
    return 0;
}
inline int k_fifth_bit(const BlockQ5_K &blk, int sub, int l) {
    return ((blk.qh[l] >> sub) & 1) << 4;
}

// All 8 scales (out[0..8)) and mins (out[8..16)) of a Q4_K/Q5_K super-block at once.
inline void k4_unpack_scales_mins(const uint8_t *packed, uint8_t *out) {
    uint32_t w[3];
    std::memcpy(w, packed, sizeof w);
    const uint32_t low6 = 0x3F3F3F3Fu, low4 = 0x0F0F0F0Fu, top2 = 0x03030303u;
    const uint32_t r[4] = {
        w[0] & low6,                                         // scales 0..3
        (w[2] & low4) | (((w[0] >> 6) & top2) << 4),         // scales 4..7
        w[1] & low6,                                         // mins 0..3
        ((w[2] >> 4) & low4) | (((w[1] >> 6) & top2) << 4),  // mins 4..7
    };
    std::memcpy(out, r, sizeof r);
}

// Signed scale of sub-block i (0..15) of a Q3_K super-block: low 4 bits in the low (i < 8) or
// high nibble of scales[i % 8], high 2 bits at bit 2*(i / 4) of scales[8 + i % 4]; offset 32.
LLCUDA_HD inline int q3k_scale(const uint8_t *scales, int i) {
    const int low = (scales[i % 8] >> (4 * (i / 8))) & 0xF;
    const int high = (scales[8 + i % 4] >> (2 * (i / 4))) & 3;
    return (low | (high << 4)) - 32;
}

// Signed scale of sub-block j (0..7) of an IQ4_XS super-block.
inline int iq4xs_scale(const BlockIQ4_XS &blk, int j) {
    const int low = (blk.scales_l[j / 2] >> (4 * (j % 2))) & 0xF;
    const int high = (blk.scales_h >> (2 * j)) & 3;
    return (low | (high << 4)) - 32;
}

// The 5-bit quant of element j (0..31) of a Q5_0/Q5_1 block: nibble as Q4_0 plus bit j of qh.
template <typename Block>
inline int q5_quant(const Block &blk, int j) {
    uint32_t qh;
    std::memcpy(&qh, blk.qh, sizeof qh);
    const int nibble = j < 16 ? blk.qs[j] & 0xF : blk.qs[j - 16] >> 4;
    return nibble | static_cast<int>(((qh >> j) & 1u) << 4);
}

// The NF4 code book entry of the 4-bit code q (host code).
inline float nf4_value(int q) {
    return bits_to_float(kNf4Bits[q]);
}

// The 4-bit code of element j (0..63) of an NF4 block.
inline int nf4_quant(const BlockNF4 &blk, int j) {
    return (blk.qs[nf4_byte(j)] >> nf4_shift(j)) & 0xF;
}

}  // namespace llcuda
