// Reference encoders. Q4_0/Q8_0/Q5_0 use the block's extreme value, Q4_1/Q5_1 its range;
// IQ4_NL/IQ4_XS search the scale on the non-linear code book; NF4 scales by the block's largest
// magnitude and takes the nearest code, as bitsandbytes quantizes; the K-quants search, per
// sub-block, the scale (and min) minimising a weighted squared error, then quantize the
// sub-block scales themselves to 6 or 8 bits, following the method of ggml's reference
// quantizers so files written by llcuda behave like llama.cpp's.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "error.h"
#include "half.h"
#include "quants.h"

namespace llcuda {

namespace {

int nearest_int(float x) {
    return static_cast<int>(std::lrintf(x));
}

void quantize_q8_0(const float *x, BlockQ8_0 *y, int64_t n_blocks) {
    for (int64_t b = 0; b < n_blocks; ++b, x += QK8_0) {
        float amax = 0.0f;
        for (int j = 0; j < QK8_0; ++j) amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = fp32_to_fp16(d);
        // Ties round away from zero (roundf), as llama.cpp's quantize_row_q8_0_ref: the same weights give
        // llama-quantize's bytes exactly.
        for (int j = 0; j < QK8_0; ++j) y[b].qs[j] = static_cast<int8_t>(std::roundf(x[j] * id));
    }
}

void quantize_q4_0(const float *x, BlockQ4_0 *y, int64_t n_blocks) {
    for (int64_t b = 0; b < n_blocks; ++b, x += QK4_0) {
        // The signed extreme maps to -8 so the full range [-8, 7] is used on its side.
        float amax = 0.0f, extreme = 0.0f;
        for (int j = 0; j < QK4_0; ++j) {
            if (std::fabs(x[j]) > amax) {
                amax = std::fabs(x[j]);
                extreme = x[j];
            }
        }
        const float d = extreme / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = fp32_to_fp16(d);
        for (int j = 0; j < QK4_0 / 2; ++j) {
            const int q0 = std::min(15, static_cast<int>(x[j] * id + 8.5f));
            const int q1 = std::min(15, static_cast<int>(x[j + QK4_0 / 2] * id + 8.5f));
            y[b].qs[j] = static_cast<uint8_t>(std::max(0, q0) | (std::max(0, q1) << 4));
        }
    }
}

// Finds scale and min (x ~ scale * q + min, q in [0, nmax], min <= 0) minimising the weighted
// squared error: a first guess from the range, then `n_steps` candidate inverse scales around
// it, each refined by the weighted least-squares solution for its rounding. Returns the scale,
// stores -min in `neg_min` and the chosen quants in `q`.
float fit_scale_min(int n, int nmax, const float *x, const float *w, uint8_t *q, float &neg_min, float rmin,
                    float rdelta, int n_steps) {
    float lo = x[0], hi = x[0], sum_w = w[0], sum_x = w[0] * x[0];
    for (int i = 1; i < n; ++i) {
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
        sum_w += w[i];
        sum_x += w[i] * x[i];
    }
    lo = std::min(lo, 0.0f);
    if (hi == lo) {
        std::fill(q, q + n, 0);
        neg_min = -lo;
        return 0.0f;
    }
    float iscale = nmax / (hi - lo);
    float scale = 1.0f / iscale;
    float best_err = 0.0f;
    for (int i = 0; i < n; ++i) {
        const int l = std::clamp(nearest_int(iscale * (x[i] - lo)), 0, nmax);
        q[i] = static_cast<uint8_t>(l);
        const float diff = scale * l + lo - x[i];
        best_err += w[i] * diff * diff;
    }
    uint8_t trial[QK_K];
    for (int step = 0; step <= n_steps; ++step) {
        iscale = (rmin + rdelta * step + nmax) / (hi - lo);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearest_int(iscale * (x[i] - lo)), 0, nmax);
            trial[i] = static_cast<uint8_t>(l);
            sum_l += w[i] * l;
            sum_l2 += w[i] * l * l;
            sum_xl += w[i] * l * x[i];
        }
        const float det = sum_w * sum_l2 - sum_l * sum_l;
        if (det <= 0) continue;
        float this_scale = (sum_w * sum_xl - sum_x * sum_l) / det;
        float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / det;
        if (this_min > 0) {
            this_min = 0;
            this_scale = sum_xl / sum_l2;
        }
        float err = 0;
        for (int i = 0; i < n; ++i) {
            const float diff = this_scale * trial[i] + this_min - x[i];
            err += w[i] * diff * diff;
        }
        if (err < best_err) {
            std::memcpy(q, trial, static_cast<size_t>(n));
            best_err = err;
            scale = this_scale;
            lo = this_min;
        }
    }
    neg_min = -lo;
    return scale;
}

// Symmetric scale for signed quants in [-nmax, nmax - 1] minimising sum x^2 * err^2, trying
// inverse scales around nmax / max. Stores q + nmax in `q`.
float fit_symmetric_scale(int n, int nmax, const float *x, uint8_t *q) {
    float amax = 0, extreme = 0;
    for (int i = 0; i < n; ++i) {
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            extreme = x[i];
        }
    }
    if (amax < 1e-30f) {
        std::fill(q, q + n, static_cast<uint8_t>(nmax));
        return 0.0f;
    }
    auto fit = [&](float iscale, float &sum_xl, float &sum_l2, bool store) {
        sum_xl = 0;
        sum_l2 = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1);
            if (store) q[i] = static_cast<uint8_t>(l + nmax);
            const float w = x[i] * x[i];
            sum_xl += w * x[i] * l;
            sum_l2 += w * l * l;
        }
    };
    float sum_xl, sum_l2;
    fit(-nmax / extreme, sum_xl, sum_l2, true);
    float scale = sum_l2 > 0 ? sum_xl / sum_l2 : 0.0f;
    float best = scale * sum_xl;
    for (int step = -9; step <= 9; ++step) {
        if (step == 0) continue;
        const float iscale = -(nmax + 0.1f * step) / extreme;
        fit(iscale, sum_xl, sum_l2, false);
        if (sum_l2 > 0 && sum_xl * sum_xl > best * sum_l2) {
            fit(iscale, sum_xl, sum_l2, true);
            scale = sum_xl / sum_l2;
            best = scale * sum_xl;
        }
    }
    return scale;
}

// Sub-block fits shared by Q4_K and Q5_K: 8 sub-blocks of 32 with weights |x| + rms, then the
// 6-bit packing of scales and mins and the final re-quantization with the rounded scales.
void quantize_k4_common(const float *x, int nmax, float rmin, int n_steps, uint16_t &d_out, uint16_t &dmin_out,
                        uint8_t *packed_scales, uint8_t *L) {
    float scales[8], mins[8], weights[32];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; ++j) {
        const float *xs = x + 32 * j;
        float sum_x2 = 0;
        for (int l = 0; l < 32; ++l) sum_x2 += xs[l] * xs[l];
        const float rms = std::sqrt(sum_x2 / 32);
        for (int l = 0; l < 32; ++l) weights[l] = rms + std::fabs(xs[l]);
        scales[j] = fit_scale_min(32, nmax, xs, weights, L + 32 * j, mins[j], rmin, 0.1f, n_steps);
        max_scale = std::max(max_scale, scales[j]);
        max_min = std::max(max_min, mins[j]);
    }
    const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
    const float inv_min = max_min > 0 ? 63.0f / max_min : 0.0f;
    std::memset(packed_scales, 0, K_SCALE_SIZE);
    for (int j = 0; j < 8; ++j) {
        const int ls = std::min(63, nearest_int(inv_scale * scales[j]));
        const int lm = std::min(63, nearest_int(inv_min * mins[j]));
        if (j < 4) {
            packed_scales[j] = static_cast<uint8_t>(ls);
            packed_scales[j + 4] = static_cast<uint8_t>(lm);
        } else {
            packed_scales[j + 4] = static_cast<uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
            packed_scales[j - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
            packed_scales[j] |= static_cast<uint8_t>((lm >> 4) << 6);
        }
    }
    d_out = fp32_to_fp16(max_scale / 63.0f);
    dmin_out = fp32_to_fp16(max_min / 63.0f);
    const float d = fp16_to_fp32(d_out), dmin = fp16_to_fp32(dmin_out);
    for (int j = 0; j < 8; ++j) {
        int sc, m;
        k4_scale_min(j, packed_scales, sc, m);
        const float ds = d * sc;
        if (ds == 0.0f) continue;
        const float dm = dmin * m;
        for (int l = 0; l < 32; ++l) {
            L[32 * j + l] = static_cast<uint8_t>(std::clamp(nearest_int((x[32 * j + l] + dm) / ds), 0, nmax));
        }
    }
}

void quantize_q4_K(const float *x, BlockQ4_K *y, int64_t n_blocks) {
    uint8_t L[QK_K];
    for (int64_t b = 0; b < n_blocks; ++b, x += QK_K) {
        quantize_k4_common(x, 15, -1.0f, 20, y[b].d, y[b].dmin, y[b].scales, L);
        uint8_t *q = y[b].qs;
        for (int j = 0; j < QK_K; j += 64, q += 32) {
            for (int l = 0; l < 32; ++l) q[l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 4));
        }
    }
}

void quantize_q5_K(const float *x, BlockQ5_K *y, int64_t n_blocks) {
    uint8_t L[QK_K];
    for (int64_t b = 0; b < n_blocks; ++b, x += QK_K) {
        quantize_k4_common(x, 31, -0.5f, 15, y[b].d, y[b].dmin, y[b].scales, L);
        std::memset(y[b].qh, 0, sizeof y[b].qh);
        uint8_t *q = y[b].qs;
        for (int j = 0, sub = 0; j < QK_K; j += 64, sub += 2, q += 32) {
            for (int l = 0; l < 32; ++l) {
                const int lo = L[j + l], hi = L[j + l + 32];
                y[b].qh[l] |= static_cast<uint8_t>(((lo >> 4) << sub) | ((hi >> 4) << (sub + 1)));
                q[l] = static_cast<uint8_t>((lo & 0xF) | ((hi & 0xF) << 4));
            }
        }
    }
}

void quantize_q6_K(const float *x, BlockQ6_K *y, int64_t n_blocks) {
    uint8_t L[QK_K];
    for (int64_t b = 0; b < n_blocks; ++b, x += QK_K) {
        float scales[16];
        float max_scale = 0, max_abs_scale = 0;
        for (int ib = 0; ib < 16; ++ib) {
            scales[ib] = fit_symmetric_scale(16, 32, x + 16 * ib, L + 16 * ib);
            if (std::fabs(scales[ib]) > max_abs_scale) {
                max_abs_scale = std::fabs(scales[ib]);
                max_scale = scales[ib];
            }
        }
        BlockQ6_K &blk = y[b];
        if (max_abs_scale < 1e-30f) {
            std::memset(&blk, 0, sizeof blk);
            continue;
        }
        const float iscale = -128.0f / max_scale;
        blk.d = fp32_to_fp16(1.0f / iscale);
        const float d = fp16_to_fp32(blk.d);
        for (int ib = 0; ib < 16; ++ib) {
            blk.scales[ib] = static_cast<int8_t>(std::min(127, nearest_int(iscale * scales[ib])));
            const float ds = d * blk.scales[ib];
            if (ds == 0.0f) continue;
            for (int l = 0; l < 16; ++l) {
                L[16 * ib + l] = static_cast<uint8_t>(std::clamp(nearest_int(x[16 * ib + l] / ds), -32, 31) + 32);
            }
        }
        for (int half = 0; half < 2; ++half) {
            uint8_t *ql = blk.ql + 64 * half;
            uint8_t *qh = blk.qh + 32 * half;
            const uint8_t *Lh = L + 128 * half;
            for (int l = 0; l < 32; ++l) {
                ql[l] = static_cast<uint8_t>((Lh[l] & 0xF) | ((Lh[l + 64] & 0xF) << 4));
                ql[l + 32] = static_cast<uint8_t>((Lh[l + 32] & 0xF) | ((Lh[l + 96] & 0xF) << 4));
                qh[l] = static_cast<uint8_t>((Lh[l] >> 4) | ((Lh[l + 32] >> 4) << 2) | ((Lh[l + 64] >> 4) << 4) |
                                             ((Lh[l + 96] >> 4) << 6));
            }
        }
    }
}

// Q4_1/Q5_1: x ~ d*q + m over the block's range, q in [0, nmax]; quants computed with the stored
// (fp16-rounded) d and m. `store` writes the block from d, m and the quants.
template <typename Block, typename Store>
void quantize_offset_blocks(const float *x, Block *y, int64_t n_blocks, int nmax, Store store) {
    for (int64_t b = 0; b < n_blocks; ++b, x += 32) {
        float lo = x[0], hi = x[0];
        for (int j = 1; j < 32; ++j) {
            lo = std::min(lo, x[j]);
            hi = std::max(hi, x[j]);
        }
        y[b].d = fp32_to_fp16((hi - lo) / nmax);
        y[b].m = fp32_to_fp16(lo);
        const float d = fp16_to_fp32(y[b].d), m = fp16_to_fp32(y[b].m);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        uint8_t q[32];
        for (int j = 0; j < 32; ++j) q[j] = static_cast<uint8_t>(std::clamp(nearest_int((x[j] - m) * id), 0, nmax));
        store(y[b], q);
    }
}

// Nibbles of 32 quants in Q4_0's order (element j low, j + 16 high).
void pack_nibbles(const uint8_t *q, uint8_t *qs) {
    for (int j = 0; j < 16; ++j) qs[j] = static_cast<uint8_t>((q[j] & 0xF) | ((q[j + 16] & 0xF) << 4));
}

// Q5_0/Q5_1: low nibbles as Q4_0, bit 4 of element j into bit j of qh.
template <typename Block>
void pack_q5(const uint8_t *q, Block &blk) {
    pack_nibbles(q, blk.qs);
    uint32_t qh = 0;
    for (int j = 0; j < 32; ++j) qh |= static_cast<uint32_t>(q[j] >> 4) << j;
    std::memcpy(blk.qh, &qh, sizeof qh);
}

void quantize_q5_0(const float *x, BlockQ5_0 *y, int64_t n_blocks) {
    for (int64_t b = 0; b < n_blocks; ++b, x += 32) {
        // As Q4_0: the signed extreme maps to -16.
        float amax = 0.0f, extreme = 0.0f;
        for (int j = 0; j < 32; ++j) {
            if (std::fabs(x[j]) > amax) {
                amax = std::fabs(x[j]);
                extreme = x[j];
            }
        }
        y[b].d = fp32_to_fp16(extreme / -16.0f);
        const float d = fp16_to_fp32(y[b].d);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        uint8_t q[32];
        for (int j = 0; j < 32; ++j) q[j] = static_cast<uint8_t>(std::clamp(nearest_int(x[j] * id) + 16, 0, 31));
        pack_q5(q, y[b]);
    }
}

// Index of the code book value nearest to x.
int nearest_iq4(float x) {
    int best = 0;
    for (int i = 1; i < 16; ++i) {
        if (std::fabs(x - kIq4nlValues[i]) < std::fabs(x - kIq4nlValues[best])) best = i;
    }
    return best;
}

// Scale d of 32 values on the IQ4 code book (x ~ d * kIq4nlValues[q]) minimising sum x^2 * err^2:
// candidate inverse scales around the one mapping the signed extreme to the book's end, each
// refined by the least-squares scale for its indices (ggml's search with 7 steps either side).
float fit_iq4_scale(const float *x) {
    float amax = 0, extreme = 0;
    for (int j = 0; j < 32; ++j) {
        if (std::fabs(x[j]) > amax) {
            amax = std::fabs(x[j]);
            extreme = x[j];
        }
    }
    if (amax < 1e-30f) return 0.0f;
    auto sums = [&](float id, float &sum_qx, float &sum_q2) {
        sum_qx = 0;
        sum_q2 = 0;
        for (int j = 0; j < 32; ++j) {
            const float q = kIq4nlValues[nearest_iq4(id * x[j])];
            const float w = x[j] * x[j];
            sum_qx += w * q * x[j];
            sum_q2 += w * q * q;
        }
    };
    float sum_qx, sum_q2;
    sums(-kIq4nlValues[0] / extreme, sum_qx, sum_q2);
    float d = sum_qx / sum_q2, best = d * sum_qx;
    for (int step = -7; step <= 7; ++step) {
        sums((step + kIq4nlValues[0]) / extreme, sum_qx, sum_q2);
        if (sum_q2 > 0 && sum_qx * sum_qx > best * sum_q2) {
            d = sum_qx / sum_q2;
            best = d * sum_qx;
        }
    }
    return d;
}

// 32 indices for the scale ds, packed in Q4_0's nibble order.
void pack_iq4(const float *x, float ds, uint8_t *qs) {
    const float ids = ds != 0.0f ? 1.0f / ds : 0.0f;
    uint8_t q[32];
    for (int j = 0; j < 32; ++j) q[j] = static_cast<uint8_t>(nearest_iq4(ids * x[j]));
    pack_nibbles(q, qs);
}

void quantize_iq4_nl(const float *x, BlockIQ4_NL *y, int64_t n_blocks) {
    for (int64_t b = 0; b < n_blocks; ++b, x += 32) {
        y[b].d = fp32_to_fp16(fit_iq4_scale(x));
        pack_iq4(x, fp16_to_fp32(y[b].d), y[b].qs);
    }
}

void quantize_iq4_xs(const float *x, BlockIQ4_XS *y, int64_t n_blocks) {
    for (int64_t b = 0; b < n_blocks; ++b, x += QK_K) {
        float scales[8], max_scale = 0, amax_scale = 0;
        for (int j = 0; j < 8; ++j) {
            scales[j] = fit_iq4_scale(x + 32 * j);
            if (std::fabs(scales[j]) > amax_scale) {
                amax_scale = std::fabs(scales[j]);
                max_scale = scales[j];
            }
        }
        // Sub-block scales as 6-bit signed multiples of d; the largest maps to -32.
        y[b].d = fp32_to_fp16(-max_scale / 32.0f);
        const float d = fp16_to_fp32(y[b].d);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].scales_h = 0;
        std::memset(y[b].scales_l, 0, sizeof y[b].scales_l);
        for (int j = 0; j < 8; ++j) {
            const int l = std::clamp(nearest_int(id * scales[j]), -32, 31) + 32;
            y[b].scales_l[j / 2] |= static_cast<uint8_t>((l & 0xF) << (4 * (j % 2)));
            y[b].scales_h |= static_cast<uint16_t>((l >> 4) << (2 * j));
            pack_iq4(x + 32 * j, d * (l - 32), y[b].qs + 16 * j);
        }
    }
}

// Q2_K/Q3_K: 2 low bits of element 128h + 32g + l at bit 2g of qs[32h + l].
void pack_2bit(const uint8_t *L, uint8_t *qs) {
    for (int h = 0; h < 2; ++h) {
        for (int l = 0; l < 32; ++l) {
            const uint8_t *Lh = L + 128 * h + l;
            qs[32 * h + l] =
                static_cast<uint8_t>((Lh[0] & 3) | ((Lh[32] & 3) << 2) | ((Lh[64] & 3) << 4) | ((Lh[96] & 3) << 6));
        }
    }
}

void quantize_q2_K(const float *x, BlockQ2_K *y, int64_t n_blocks) {
    uint8_t L[QK_K];
    for (int64_t b = 0; b < n_blocks; ++b, x += QK_K) {
        float scales[16], mins[16], weights[16], max_scale = 0, max_min = 0;
        for (int j = 0; j < 16; ++j) {
            for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
            scales[j] = fit_scale_min(16, 3, x + 16 * j, weights, L + 16 * j, mins[j], -0.5f, 0.1f, 15);
            max_scale = std::max(max_scale, scales[j]);
            max_min = std::max(max_min, mins[j]);
        }
        // Scales and mins as 4-bit multiples of d and dmin.
        BlockQ2_K &blk = y[b];
        const float inv_scale = max_scale > 0 ? 15.0f / max_scale : 0.0f;
        const float inv_min = max_min > 0 ? 15.0f / max_min : 0.0f;
        for (int j = 0; j < 16; ++j) {
            blk.scales[j] = static_cast<uint8_t>(std::min(15, nearest_int(inv_scale * scales[j])) |
                                                 (std::min(15, nearest_int(inv_min * mins[j])) << 4));
        }
        blk.d = fp32_to_fp16(max_scale / 15.0f);
        blk.dmin = fp32_to_fp16(max_min / 15.0f);
        const float d = fp16_to_fp32(blk.d), dmin = fp16_to_fp32(blk.dmin);
        for (int j = 0; j < 16; ++j) {
            const float ds = d * (blk.scales[j] & 0xF);
            if (ds == 0.0f) continue;
            const float dm = dmin * (blk.scales[j] >> 4);
            for (int l = 0; l < 16; ++l) {
                L[16 * j + l] = static_cast<uint8_t>(std::clamp(nearest_int((x[16 * j + l] + dm) / ds), 0, 3));
            }
        }
        pack_2bit(L, blk.qs);
    }
}

void quantize_q3_K(const float *x, BlockQ3_K *y, int64_t n_blocks) {
    uint8_t L[QK_K];
    for (int64_t b = 0; b < n_blocks; ++b, x += QK_K) {
        float scales[16], max_scale = 0, amax_scale = 0;
        for (int j = 0; j < 16; ++j) {
            scales[j] = fit_symmetric_scale(16, 4, x + 16 * j, L + 16 * j);
            if (std::fabs(scales[j]) > amax_scale) {
                amax_scale = std::fabs(scales[j]);
                max_scale = scales[j];
            }
        }
        BlockQ3_K &blk = y[b];
        std::memset(&blk, 0, sizeof blk);
        if (amax_scale < 1e-30f) continue;
        // Sub-block scales as 6-bit signed multiples of d; the largest maps to -32.
        const float iscale = -32.0f / max_scale;
        for (int j = 0; j < 16; ++j) {
            const int l = std::clamp(nearest_int(iscale * scales[j]), -32, 31) + 32;
            blk.scales[j % 8] |= static_cast<uint8_t>((l & 0xF) << (4 * (j / 8)));
            blk.scales[8 + j % 4] |= static_cast<uint8_t>((l >> 4) << (2 * (j / 4)));
        }
        blk.d = fp32_to_fp16(1.0f / iscale);
        const float d = fp16_to_fp32(blk.d);
        for (int j = 0; j < 16; ++j) {
            const float ds = d * q3k_scale(blk.scales, j);
            for (int l = 0; l < 16; ++l) {
                const int q = ds != 0.0f ? std::clamp(nearest_int(x[16 * j + l] / ds), -4, 3) : 0;
                L[16 * j + l] = static_cast<uint8_t>(q + 4);
            }
        }
        // Bit 2 (the "no -4" bit) of element j goes to bit j/32 of hmask[j % 32].
        for (int j = 0; j < QK_K; ++j) blk.hmask[j % 32] |= static_cast<uint8_t>((L[j] >> 2) << (j / 32));
        pack_2bit(L, blk.qs);
    }
}

// bitsandbytes' NF4 quantizer: d = the block's largest magnitude, each x * (1 / d) to the nearest
// code (the count of midpoints below it), a value exactly on a midpoint to the lower code as
// bitsandbytes' `x > mid` tests do.
void quantize_nf4(const float *x, BlockNF4 *y, int64_t n_blocks) {
    float mid[15];
    for (int i = 0; i < 15; ++i) mid[i] = (nf4_value(i) + nf4_value(i + 1)) * 0.5f;
    for (int64_t b = 0; b < n_blocks; ++b, x += QK_NF4) {
        float amax = 0.0f;
        for (int j = 0; j < QK_NF4; ++j) amax = std::max(amax, std::fabs(x[j]));
        const float inv = amax != 0.0f ? 1.0f / amax : 0.0f;
        y[b].d = amax;
        std::memset(y[b].qs, 0, sizeof y[b].qs);
        for (int j = 0; j < QK_NF4; ++j) {
            const int q = static_cast<int>(std::lower_bound(mid, mid + 15, x[j] * inv) - mid);
            y[b].qs[nf4_byte(j)] |= static_cast<uint8_t>(q << nf4_shift(j));
        }
    }
}

}  // namespace

void quantize_row_q8_K(const float *x, BlockQ8_K *y, int64_t n) {
    for (int64_t b = 0; b < n / QK_K; ++b, x += QK_K) {
        float amax = 0, extreme = 0;
        for (int j = 0; j < QK_K; ++j) {
            if (std::fabs(x[j]) > amax) {
                amax = std::fabs(x[j]);
                extreme = x[j];
            }
        }
        if (amax == 0.0f) {
            std::memset(&y[b], 0, sizeof y[b]);
            continue;
        }
        const float iscale = -127.0f / extreme;
        for (int j = 0; j < QK_K; ++j)
            y[b].qs[j] = static_cast<int8_t>(std::clamp(nearest_int(iscale * x[j]), -127, 127));
        for (int j = 0; j < QK_K / 16; ++j) {
            int sum = 0;
            for (int l = 0; l < 16; ++l) sum += y[b].qs[16 * j + l];
            y[b].bsums[j] = static_cast<int16_t>(sum);
        }
        y[b].d = 1.0f / iscale;
    }
}

void quantize_row(int32_t type, const float *src, void *dst, int64_t n) {
    const TypeTraits *t = type_traits(type);
    if (t == nullptr) fail(LLCUDA_ERR_UNSUPPORTED, "cannot quantize to type " + std::to_string(type));
    const int64_t n_blocks = n / t->block_size;
    switch (type) {
        case LLCUDA_TYPE_F32:
            std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
            return;
        case LLCUDA_TYPE_F16:
            for (int64_t i = 0; i < n; ++i) static_cast<uint16_t *>(dst)[i] = fp32_to_fp16(src[i]);
            return;
        case LLCUDA_TYPE_BF16:
            for (int64_t i = 0; i < n; ++i) static_cast<uint16_t *>(dst)[i] = fp32_to_bf16(src[i]);
            return;
        case LLCUDA_TYPE_Q8_0:
            return quantize_q8_0(src, static_cast<BlockQ8_0 *>(dst), n_blocks);
        case LLCUDA_TYPE_Q4_0:
            return quantize_q4_0(src, static_cast<BlockQ4_0 *>(dst), n_blocks);
        case LLCUDA_TYPE_Q4_K:
            return quantize_q4_K(src, static_cast<BlockQ4_K *>(dst), n_blocks);
        case LLCUDA_TYPE_Q5_K:
            return quantize_q5_K(src, static_cast<BlockQ5_K *>(dst), n_blocks);
        case LLCUDA_TYPE_Q6_K:
            return quantize_q6_K(src, static_cast<BlockQ6_K *>(dst), n_blocks);
        case LLCUDA_TYPE_Q4_1:
            return quantize_offset_blocks(src, static_cast<BlockQ4_1 *>(dst), n_blocks, 15,
                                          [](BlockQ4_1 &blk, const uint8_t *q) { pack_nibbles(q, blk.qs); });
        case LLCUDA_TYPE_Q5_0:
            return quantize_q5_0(src, static_cast<BlockQ5_0 *>(dst), n_blocks);
        case LLCUDA_TYPE_Q5_1:
            return quantize_offset_blocks(src, static_cast<BlockQ5_1 *>(dst), n_blocks, 31,
                                          [](BlockQ5_1 &blk, const uint8_t *q) { pack_q5(q, blk); });
        case LLCUDA_TYPE_Q2_K:
            return quantize_q2_K(src, static_cast<BlockQ2_K *>(dst), n_blocks);
        case LLCUDA_TYPE_Q3_K:
            return quantize_q3_K(src, static_cast<BlockQ3_K *>(dst), n_blocks);
        case LLCUDA_TYPE_IQ4_NL:
            return quantize_iq4_nl(src, static_cast<BlockIQ4_NL *>(dst), n_blocks);
        case LLCUDA_TYPE_IQ4_XS:
            return quantize_iq4_xs(src, static_cast<BlockIQ4_XS *>(dst), n_blocks);
        case LLCUDA_TYPE_NF4:
            return quantize_nf4(src, static_cast<BlockNF4 *>(dst), n_blocks);
        default:
            fail(LLCUDA_ERR_UNSUPPORTED, std::string("cannot quantize to ") + t->name);
    }
}

}  // namespace llcuda
