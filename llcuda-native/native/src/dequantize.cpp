// Reference decoding of each block format, written to read like the format description.
#include <string>

#include "error.h"
#include "half.h"
#include "quants.h"

namespace llcuda {

namespace {

void dequantize_q8_0(const BlockQ8_0 *blocks, float *y, int64_t n_blocks) {
    for (int64_t b = 0; b < n_blocks; ++b, y += QK8_0) {
        const float d = fp16_to_fp32(blocks[b].d);
        for (int j = 0; j < QK8_0; ++j) y[j] = d * blocks[b].qs[j];
    }
}

void dequantize_q4_0(const BlockQ4_0 *blocks, float *y, int64_t n_blocks) {
    for (int64_t b = 0; b < n_blocks; ++b, y += QK4_0) {
        const float d = fp16_to_fp32(blocks[b].d);
        for (int j = 0; j < QK4_0 / 2; ++j) {
            y[j] = d * ((blocks[b].qs[j] & 0xF) - 8);
            y[j + QK4_0 / 2] = d * ((blocks[b].qs[j] >> 4) - 8);
        }
    }
}

// Q4_K and Q5_K; Q5_K adds a fifth bit per element (k_fifth_bit).
template <typename Block>
void dequantize_k4(const Block *blocks, float *y, int64_t n_blocks) {
    for (int64_t b = 0; b < n_blocks; ++b) {
        const Block &blk = blocks[b];
        const float d = fp16_to_fp32(blk.d), dmin = fp16_to_fp32(blk.dmin);
        const uint8_t *q = blk.qs;
        // Each 32 bytes of qs hold two sub-blocks: low nibbles, then high nibbles.
        for (int sub = 0; sub < 8; sub += 2, q += 32) {
            int sc0, m0, sc1, m1;
            k4_scale_min(sub, blk.scales, sc0, m0);
            k4_scale_min(sub + 1, blk.scales, sc1, m1);
            for (int l = 0; l < 32; ++l) *y++ = d * sc0 * ((q[l] & 0xF) | k_fifth_bit(blk, sub, l)) - dmin * m0;
            for (int l = 0; l < 32; ++l) *y++ = d * sc1 * ((q[l] >> 4) | k_fifth_bit(blk, sub + 1, l)) - dmin * m1;
        }
    }
}

void dequantize_q6_K(const BlockQ6_K *blocks, float *y, int64_t n_blocks) {
    for (int64_t b = 0; b < n_blocks; ++b) {
        const BlockQ6_K &blk = blocks[b];
        const float d = fp16_to_fp32(blk.d);
        // Two halves of 128: ql holds low nibbles of elements l, l+32 (low) and l+64, l+96 (high);
        // qh holds their 2 high bits at shifts 0, 2, 4, 6.
        for (int half = 0; half < 2; ++half, y += 128) {
            const uint8_t *ql = blk.ql + 64 * half;
            const uint8_t *qh = blk.qh + 32 * half;
            const int8_t *sc = blk.scales + 8 * half;
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q0 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q1 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q2 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q3 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * sc[is + 0] * q0;
                y[l + 32] = d * sc[is + 2] * q1;
                y[l + 64] = d * sc[is + 4] * q2;
                y[l + 96] = d * sc[is + 6] * q3;
            }
        }
    }
}

}  // namespace

void dequantize_row(int32_t type, const void *src, float *dst, int64_t n) {
    const TypeTraits *t = type_traits(type);
    if (t == nullptr) fail(LLCUDA_ERR_UNSUPPORTED, "cannot dequantize type " + std::to_string(type));
    const int64_t n_blocks = n / t->block_size;
    switch (type) {
    case LLCUDA_TYPE_F32:
        for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<const float *>(src)[i];
        return;
    case LLCUDA_TYPE_F16:
        for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(static_cast<const uint16_t *>(src)[i]);
        return;
    case LLCUDA_TYPE_BF16:
        for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_fp32(static_cast<const uint16_t *>(src)[i]);
        return;
    case LLCUDA_TYPE_Q8_0: return dequantize_q8_0(static_cast<const BlockQ8_0 *>(src), dst, n_blocks);
    case LLCUDA_TYPE_Q4_0: return dequantize_q4_0(static_cast<const BlockQ4_0 *>(src), dst, n_blocks);
    case LLCUDA_TYPE_Q4_K: return dequantize_k4(static_cast<const BlockQ4_K *>(src), dst, n_blocks);
    case LLCUDA_TYPE_Q5_K: return dequantize_k4(static_cast<const BlockQ5_K *>(src), dst, n_blocks);
    case LLCUDA_TYPE_Q6_K: return dequantize_q6_K(static_cast<const BlockQ6_K *>(src), dst, n_blocks);
    default: fail(LLCUDA_ERR_UNSUPPORTED, std::string("cannot dequantize ") + t->name);
    }
}

}  // namespace llcuda
