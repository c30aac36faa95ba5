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

// Q4_1 and IQ4_NL share Q4_0's nibble order; `value` maps (block, nibble) to the element.
template <typename Block, typename Value>
void dequantize_nibbles(const Block *blocks, float *y, int64_t n_blocks, Value value) {
    for (int64_t b = 0; b < n_blocks; ++b, y += 32) {
        for (int j = 0; j < 16; ++j) {
            y[j] = value(blocks[b], blocks[b].qs[j] & 0xF);
            y[j + 16] = value(blocks[b], blocks[b].qs[j] >> 4);
        }
    }
}

void dequantize_q5_0(const BlockQ5_0 *blocks, float *y, int64_t n_blocks) {
    for (int64_t b = 0; b < n_blocks; ++b, y += 32) {
        const float d = fp16_to_fp32(blocks[b].d);
        for (int j = 0; j < 32; ++j) y[j] = d * (q5_quant(blocks[b], j) - 16);
    }
}

void dequantize_q5_1(const BlockQ5_1 *blocks, float *y, int64_t n_blocks) {
    for (int64_t b = 0; b < n_blocks; ++b, y += 32) {
        const float d = fp16_to_fp32(blocks[b].d), m = fp16_to_fp32(blocks[b].m);
        for (int j = 0; j < 32; ++j) y[j] = d * q5_quant(blocks[b], j) + m;
    }
}

// Q2_K and Q3_K: element 128h + 32g + l has 2 low bits at bit 2g of qs[32h + l] and sub-block
// 8h + 2g + l/16.
void dequantize_q2_K(const BlockQ2_K *blocks, float *y, int64_t n_blocks) {
    for (int64_t b = 0; b < n_blocks; ++b) {
        const BlockQ2_K &blk = blocks[b];
        const float d = fp16_to_fp32(blk.d), dmin = fp16_to_fp32(blk.dmin);
        for (int j = 0; j < QK_K; ++j) {
            const int h = j / 128, g = (j % 128) / 32, l = j % 32;
            const int sc = blk.scales[8 * h + 2 * g + l / 16];
            const int q = (blk.qs[32 * h + l] >> (2 * g)) & 3;
            *y++ = d * (sc & 0xF) * q - dmin * (sc >> 4);
        }
    }
}

void dequantize_q3_K(const BlockQ3_K *blocks, float *y, int64_t n_blocks) {
    for (int64_t b = 0; b < n_blocks; ++b) {
        const BlockQ3_K &blk = blocks[b];
        const float d = fp16_to_fp32(blk.d);
        for (int j = 0; j < QK_K; ++j) {
            const int h = j / 128, g = (j % 128) / 32, l = j % 32;
            const int low = (blk.qs[32 * h + l] >> (2 * g)) & 3;
            const int high = (blk.hmask[l] >> (j / 32)) & 1;
            *y++ = d * q3k_scale(blk.scales, 8 * h + 2 * g + l / 16) * (low - (high ? 0 : 4));
        }
    }
}

void dequantize_iq4_xs(const BlockIQ4_XS *blocks, float *y, int64_t n_blocks) {
    for (int64_t b = 0; b < n_blocks; ++b) {
        const BlockIQ4_XS &blk = blocks[b];
        const float d = fp16_to_fp32(blk.d);
        for (int sub = 0; sub < 8; ++sub, y += 32) {
            const float ds = d * iq4xs_scale(blk, sub);
            const uint8_t *q = blk.qs + 16 * sub;
            for (int j = 0; j < 16; ++j) {
                y[j] = ds * kIq4nlValues[q[j] & 0xF];
                y[j + 16] = ds * kIq4nlValues[q[j] >> 4];
            }
        }
    }
}

void dequantize_nf4(const BlockNF4 *blocks, float *y, int64_t n_blocks) {
    for (int64_t b = 0; b < n_blocks; ++b, y += QK_NF4) {
        for (int j = 0; j < QK_NF4; ++j) y[j] = nf4_value(nf4_quant(blocks[b], j)) * blocks[b].d;
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
        case LLCUDA_TYPE_Q8_0:
            return dequantize_q8_0(static_cast<const BlockQ8_0 *>(src), dst, n_blocks);
        case LLCUDA_TYPE_Q4_0:
            return dequantize_q4_0(static_cast<const BlockQ4_0 *>(src), dst, n_blocks);
        case LLCUDA_TYPE_Q4_K:
            return dequantize_k4(static_cast<const BlockQ4_K *>(src), dst, n_blocks);
        case LLCUDA_TYPE_Q5_K:
            return dequantize_k4(static_cast<const BlockQ5_K *>(src), dst, n_blocks);
        case LLCUDA_TYPE_Q6_K:
            return dequantize_q6_K(static_cast<const BlockQ6_K *>(src), dst, n_blocks);
        case LLCUDA_TYPE_Q4_1:
            return dequantize_nibbles(
                static_cast<const BlockQ4_1 *>(src), dst, n_blocks,
                [](const BlockQ4_1 &blk, int q) { return fp16_to_fp32(blk.d) * q + fp16_to_fp32(blk.m); });
        case LLCUDA_TYPE_Q5_0:
            return dequantize_q5_0(static_cast<const BlockQ5_0 *>(src), dst, n_blocks);
        case LLCUDA_TYPE_Q5_1:
            return dequantize_q5_1(static_cast<const BlockQ5_1 *>(src), dst, n_blocks);
        case LLCUDA_TYPE_Q2_K:
            return dequantize_q2_K(static_cast<const BlockQ2_K *>(src), dst, n_blocks);
        case LLCUDA_TYPE_Q3_K:
            return dequantize_q3_K(static_cast<const BlockQ3_K *>(src), dst, n_blocks);
        case LLCUDA_TYPE_IQ4_NL:
            return dequantize_nibbles(
                static_cast<const BlockIQ4_NL *>(src), dst, n_blocks,
                [](const BlockIQ4_NL &blk, int q) { return fp16_to_fp32(blk.d) * kIq4nlValues[q]; });
        case LLCUDA_TYPE_IQ4_XS:
            return dequantize_iq4_xs(static_cast<const BlockIQ4_XS *>(src), dst, n_blocks);
        case LLCUDA_TYPE_NF4:
            return dequantize_nf4(static_cast<const BlockNF4 *>(src), dst, n_blocks);
        default:
            fail(LLCUDA_ERR_UNSUPPORTED, std::string("cannot dequantize ") + t->name);
    }
}

}  // namespace llcuda
