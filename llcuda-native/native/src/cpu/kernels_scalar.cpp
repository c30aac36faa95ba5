// The scalar reference kernels: plain loops over the block formats, integer sums per block.
#include <cmath>

#include "cpu/kernels.h"
#include "ggml_blocks.h"
#include "half.h"
#include "quants.h"

namespace llcuda {

namespace {

float dot_f32(int64_t n, const void *w, const void *a) {
    const float *x = static_cast<const float *>(w), *y = static_cast<const float *>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i) sum += x[i] * y[i];
    return sum;
}

float dot_f16(int64_t n, const void *w, const void *a) {
    const uint16_t *x = static_cast<const uint16_t *>(w);
    const float *y = static_cast<const float *>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i) sum += fp16_to_fp32(x[i]) * y[i];
    return sum;
}

float dot_bf16(int64_t n, const void *w, const void *a) {
    const uint16_t *x = static_cast<const uint16_t *>(w);
    const float *y = static_cast<const float *>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i) sum += bf16_to_fp32(x[i]) * y[i];
    return sum;
}

float dot_q8_0(int64_t n, const void *w, const void *a) {
    const BlockQ8_0 *x = static_cast<const BlockQ8_0 *>(w), *y = static_cast<const BlockQ8_0 *>(a);
    float sum = 0.0f;
    for (int64_t b = 0; b < n / QK8_0; ++b) {
        int sumi = 0;
        for (int j = 0; j < QK8_0; ++j) sumi += x[b].qs[j] * y[b].qs[j];
        sum += fp16_to_fp32(x[b].d) * fp16_to_fp32(y[b].d) * static_cast<float>(sumi);
    }
    return sum;
}

float dot_q4_0(int64_t n, const void *w, const void *a) {
    const BlockQ4_0 *x = static_cast<const BlockQ4_0 *>(w);
    const BlockQ8_0 *y = static_cast<const BlockQ8_0 *>(a);
    float sum = 0.0f;
    for (int64_t b = 0; b < n / QK4_0; ++b) {
        int sumi = 0;
        for (int j = 0; j < QK4_0 / 2; ++j) {
            sumi += ((x[b].qs[j] & 0xF) - 8) * y[b].qs[j];
            sumi += ((x[b].qs[j] >> 4) - 8) * y[b].qs[j + QK4_0 / 2];
        }
        sum += fp16_to_fp32(x[b].d) * fp16_to_fp32(y[b].d) * static_cast<float>(sumi);
    }
    return sum;
}

// Q4_K/Q5_K: sum_j d*sc_j*<q_j, a_j> - dmin*m_j*sum(a_j), with sum(a_j) from the Q8_K bsums.
template <typename Block>
float dot_k4(int64_t n, const void *w, const void *a) {
    const Block *x = static_cast<const Block *>(w);
    const BlockQ8_K *y = static_cast<const BlockQ8_K *>(a);
    float sum = 0.0f;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        int scaled = 0, mins = 0;
        const uint8_t *q = x[b].qs;
        const int8_t *p = y[b].qs;
        for (int sub = 0; sub < 8; sub += 2, q += 32, p += 64) {
            int sc0, m0, sc1, m1;
            k4_scale_min(sub, x[b].scales, sc0, m0);
            k4_scale_min(sub + 1, x[b].scales, sc1, m1);
            int s0 = 0, s1 = 0;
            for (int l = 0; l < 32; ++l) {
                s0 += ((q[l] & 0xF) | k_fifth_bit(x[b], sub, l)) * p[l];
                s1 += ((q[l] >> 4) | k_fifth_bit(x[b], sub + 1, l)) * p[l + 32];
            }
            scaled += sc0 * s0 + sc1 * s1;
            mins += m0 * (y[b].bsums[2 * sub] + y[b].bsums[2 * sub + 1]) +
                    m1 * (y[b].bsums[2 * sub + 2] + y[b].bsums[2 * sub + 3]);
        }
        sum += y[b].d * (fp16_to_fp32(x[b].d) * scaled - fp16_to_fp32(x[b].dmin) * mins);
    }
    return sum;
}

float dot_q6_K(int64_t n, const void *w, const void *a) {
    const BlockQ6_K *x = static_cast<const BlockQ6_K *>(w);
    const BlockQ8_K *y = static_cast<const BlockQ8_K *>(a);
    float sum = 0.0f;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        int total = 0;
        for (int half = 0; half < 2; ++half) {
            const uint8_t *ql = x[b].ql + 64 * half;
            const uint8_t *qh = x[b].qh + 32 * half;
            const int8_t *sc = x[b].scales + 8 * half;
            const int8_t *p = y[b].qs + 128 * half;
            int s[8] = {0};  // sums per 16-element sub-block of this half
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                s[is + 0] += (((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32) * p[l];
                s[is + 2] += (((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32) * p[l + 32];
                s[is + 4] += (((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32) * p[l + 64];
                s[is + 6] += (((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32) * p[l + 96];
            }
            for (int i = 0; i < 8; ++i) total += sc[i] * s[i];
        }
        sum += fp16_to_fp32(x[b].d) * y[b].d * static_cast<float>(total);
    }
    return sum;
}

// Blocks of 32 against Q8_0: sum_b d_a * (d_w * <q_w, q_a> + m_w * sum(q_a)), where `quant`
// gives a weight block's integer value of element j and `scale_min` its d and m (m = 0 if none).
template <typename Block, typename Quant, typename ScaleMin>
float dot_32(int64_t n, const void *w, const void *a, Quant quant, ScaleMin scale_min) {
    const Block *x = static_cast<const Block *>(w);
    const BlockQ8_0 *y = static_cast<const BlockQ8_0 *>(a);
    float sum = 0.0f;
    for (int64_t b = 0; b < n / 32; ++b) {
        int sumi = 0, sum_a = 0;
        for (int j = 0; j < 32; ++j) {
            sumi += quant(x[b], j) * y[b].qs[j];
            sum_a += y[b].qs[j];
        }
        float d, m;
        scale_min(x[b], d, m);
        sum += fp16_to_fp32(y[b].d) * (d * static_cast<float>(sumi) + m * static_cast<float>(sum_a));
    }
    return sum;
}

int nibble(const uint8_t *qs, int j) {
    return j < 16 ? qs[j] & 0xF : qs[j - 16] >> 4;
}

float dot_q4_1(int64_t n, const void *w, const void *a) {
    return dot_32<BlockQ4_1>(
        n, w, a, [](const BlockQ4_1 &b, int j) { return nibble(b.qs, j); },
        [](const BlockQ4_1 &b, float &d, float &m) {
            d = fp16_to_fp32(b.d);
            m = fp16_to_fp32(b.m);
        });
}

float dot_q5_0(int64_t n, const void *w, const void *a) {
    return dot_32<BlockQ5_0>(
        n, w, a, [](const BlockQ5_0 &b, int j) { return q5_quant(b, j) - 16; },
        [](const BlockQ5_0 &b, float &d, float &m) {
            d = fp16_to_fp32(b.d);
            m = 0.0f;
        });
}

float dot_q5_1(int64_t n, const void *w, const void *a) {
    return dot_32<BlockQ5_1>(
        n, w, a, [](const BlockQ5_1 &b, int j) { return q5_quant(b, j); },
        [](const BlockQ5_1 &b, float &d, float &m) {
            d = fp16_to_fp32(b.d);
            m = fp16_to_fp32(b.m);
        });
}

float dot_iq4_nl(int64_t n, const void *w, const void *a) {
    return dot_32<BlockIQ4_NL>(
        n, w, a, [](const BlockIQ4_NL &b, int j) { return static_cast<int>(kIq4nlValues[nibble(b.qs, j)]); },
        [](const BlockIQ4_NL &b, float &d, float &m) {
            d = fp16_to_fp32(b.d);
            m = 0.0f;
        });
}

// Q2_K: sum_i d*sc_i*<q_i, a_i> - dmin*m_i*sum(a_i) over the 16 sub-blocks, sums from the bsums.
float dot_q2_K(int64_t n, const void *w, const void *a) {
    const BlockQ2_K *x = static_cast<const BlockQ2_K *>(w);
    const BlockQ8_K *y = static_cast<const BlockQ8_K *>(a);
    float sum = 0.0f;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        int scaled = 0, mins = 0;
        for (int j = 0; j < QK_K; ++j) {
            const int h = j / 128, g = (j % 128) / 32, l = j % 32;
            scaled += (x[b].scales[8 * h + 2 * g + l / 16] & 0xF) * ((x[b].qs[32 * h + l] >> (2 * g)) & 3) * y[b].qs[j];
        }
        for (int i = 0; i < 16; ++i) mins += (x[b].scales[i] >> 4) * y[b].bsums[i];
        sum += y[b].d * (fp16_to_fp32(x[b].d) * scaled - fp16_to_fp32(x[b].dmin) * mins);
    }
    return sum;
}

float dot_q3_K(int64_t n, const void *w, const void *a) {
    const BlockQ3_K *x = static_cast<const BlockQ3_K *>(w);
    const BlockQ8_K *y = static_cast<const BlockQ8_K *>(a);
    float sum = 0.0f;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        int s[16] = {0};  // sums per 16-element sub-block
        for (int j = 0; j < QK_K; ++j) {
            const int h = j / 128, g = (j % 128) / 32, l = j % 32;
            const int q = ((x[b].qs[32 * h + l] >> (2 * g)) & 3) - (((x[b].hmask[l] >> (j / 32)) & 1) ? 0 : 4);
            s[8 * h + 2 * g + l / 16] += q * y[b].qs[j];
        }
        int total = 0;
        for (int i = 0; i < 16; ++i) total += q3k_scale(x[b].scales, i) * s[i];
        sum += fp16_to_fp32(x[b].d) * y[b].d * static_cast<float>(total);
    }
    return sum;
}

float dot_iq4_xs(int64_t n, const void *w, const void *a) {
    const BlockIQ4_XS *x = static_cast<const BlockIQ4_XS *>(w);
    const BlockQ8_K *y = static_cast<const BlockQ8_K *>(a);
    float sum = 0.0f;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        int total = 0;
        for (int sub = 0; sub < 8; ++sub) {
            int s = 0;
            for (int j = 0; j < 32; ++j) s += kIq4nlValues[nibble(x[b].qs + 16 * sub, j)] * y[b].qs[32 * sub + j];
            total += iq4xs_scale(x[b], sub) * s;
        }
        sum += fp16_to_fp32(x[b].d) * y[b].d * static_cast<float>(total);
    }
    return sum;
}

// NF4 against float activations: sum_b d * sum_j value(q_j) * a_j.
float dot_nf4(int64_t n, const void *w, const void *a) {
    const BlockNF4 *x = static_cast<const BlockNF4 *>(w);
    const float *y = static_cast<const float *>(a);
    float sum = 0.0f;
    for (int64_t b = 0; b < n / QK_NF4; ++b, y += QK_NF4) {
        float s = 0.0f;
        for (int j = 0; j < QK_NF4; ++j) s += nf4_value(nf4_quant(x[b], j)) * y[j];
        sum += x[b].d * s;
    }
    return sum;
}

void axpy(int64_t n, float a, const float *x, float *y) {
    for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

// x * sigmoid(z) with exp of -|z| only (no overflow); t / (1 + t) is sigmoid(z) for negative z.
float times_sigmoid(float x, float z) {
    const float t = std::exp(-std::fabs(z));
    return (z < 0.0f ? x * t : x) / (1.0f + t);
}

void gelu(float *x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        const float u = x[i] * (kGeluSqrt2OverPi + kGeluSqrt2OverPi * kGeluCubic * x[i] * x[i]);
        x[i] = times_sigmoid(x[i], u + u);
    }
}

void silu_mul(float *gate, const float *up, int64_t n) {
    for (int64_t i = 0; i < n; ++i) gate[i] = times_sigmoid(gate[i], gate[i]) * up[i];
}

void quantize_act_q8_0(const float *x, void *dst, int64_t n) {
    quantize_row(LLCUDA_TYPE_Q8_0, x, dst, n);
}
void quantize_act_q8_K(const float *x, void *dst, int64_t n) {
    quantize_row_q8_K(x, static_cast<BlockQ8_K *>(dst), n);
}

const CpuKernels kScalar = {
    SimdLevel::Scalar,
    {ActFormat::F32, dot_f32},
    {ActFormat::F32, dot_f16},
    {ActFormat::F32, dot_bf16},
    {ActFormat::Q8_0, dot_q8_0},
    {ActFormat::Q8_0, dot_q4_0},
    {ActFormat::Q8_K, dot_k4<BlockQ4_K>},
    {ActFormat::Q8_K, dot_k4<BlockQ5_K>},
    {ActFormat::Q8_K, dot_q6_K},
    quantize_act_q8_0,
    quantize_act_q8_K,
    axpy,
    {ActFormat::Q8_0, dot_q4_1},
    {ActFormat::Q8_0, dot_q5_0},
    {ActFormat::Q8_0, dot_q5_1},
    {ActFormat::Q8_K, dot_q2_K},
    {ActFormat::Q8_K, dot_q3_K},
    {ActFormat::Q8_0, dot_iq4_nl},
    {ActFormat::Q8_K, dot_iq4_xs},
    {ActFormat::F32, dot_nf4},
    gelu,
    silu_mul,
};

}  // namespace

const CpuKernels &scalar_kernels() {
    return kScalar;
}

}  // namespace llcuda
