// AVX2 kernels. Integer block products use maddubs (unsigned x signed bytes -> int16 pairs) and
// madd (-> int32); each block's integer sum is scaled once in float.
#include <immintrin.h>

#include <cmath>
#include <cstring>

#include "cpu/avx2/dot_avx2.h"
#include "cpu/kernels.h"
#include "ggml_blocks.h"
#include "half.h"
#include "quants.h"

namespace llcuda::avx2 {

namespace {

float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

float fp16(uint16_t h) {
    return _cvtsh_ss(h);
}

// Signed bytes x . signed bytes y, as 8 int32 partial sums (|x| unsigned, sign moved to y).
__m256i dot_i8(__m256i x, __m256i y) {
    const __m256i products = _mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
    return _mm256_madd_epi16(products, _mm256_set1_epi16(1));
}

// Unsigned bytes u . signed bytes y, each int16 pair sum times `scales` (int16), 8 int32.
__m256i dot_u8_scaled(__m256i u, __m256i y, __m256i scales) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, y), scales);
}

__m256i load256(const void *p) {
    return _mm256_loadu_si256(static_cast<const __m256i *>(p));
}

// The 32 nibbles of a Q4_0-ordered block (element j low nibble of byte j, j + 16 high), as bytes.
__m256i nibbles32(const uint8_t *qs) {
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i *>(qs));
    return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(packed, 4), packed), _mm256_set1_epi8(0xF));
}

// Byte j = 0x10 where bit j of the little-endian 32-bit word at qh is set, else 0 (Q5 fifth bits).
__m256i fifth_bits(const uint8_t *qh) {
    uint32_t bits;
    std::memcpy(&bits, qh, sizeof bits);
    // Byte j takes source byte j / 8, then keeps bit j % 8.
    const __m256i spread =
        _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)),
                            _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303));
    const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ull));
    return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit), _mm256_set1_epi8(0x10));
}

// The code book value of each nibble byte (0..15).
__m256i iq4_values(__m256i nibbles) {
    const __m128i book = _mm_loadu_si128(reinterpret_cast<const __m128i *>(kIq4nlValues));
    return _mm256_shuffle_epi8(_mm256_set_m128i(book, book), nibbles);
}

// The NF4 code book entries of 8 codes (int32 lanes 0..15): two 8-entry permutes, bit 3 picks.
__m256 nf4_values(__m256i codes) {
    const __m256 low = _mm256_castsi256_ps(load256(kNf4Bits)), high = _mm256_castsi256_ps(load256(kNf4Bits + 8));
    const __m256 upper = _mm256_castsi256_ps(_mm256_cmpgt_epi32(codes, _mm256_set1_epi32(7)));
    return _mm256_blendv_ps(_mm256_permutevar8x32_ps(low, codes), _mm256_permutevar8x32_ps(high, codes), upper);
}

// Sum of 32 signed activation bytes, as 8 int32 partial sums.
__m256i sum_i8(__m256i y) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), y), _mm256_set1_epi16(1));
}

// Blocks of 32 against Q8_0. `unsigned_quants(b)` gives block b's quants as unsigned bytes plus
// its d and m (the value is d * q + m), or, for signed types, `signed_quants`; one accumulator
// for d * <q, a> and one for m * sum(a).
template <typename Block, typename Quants>
float dot_32_offset(int64_t n, const void *w, const void *a, Quants quants) {
    const Block *x = static_cast<const Block *>(w);
    const BlockQ8_0 *y = static_cast<const BlockQ8_0 *>(a);
    __m256 acc = _mm256_setzero_ps(), acc_m = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 32; ++b) {
        const __m256i act = load256(y[b].qs);
        const __m256i sums = _mm256_madd_epi16(_mm256_maddubs_epi16(quants(x[b]), act), _mm256_set1_epi16(1));
        const float dy = fp16(y[b].d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(fp16(x[b].d) * dy), _mm256_cvtepi32_ps(sums), acc);
        acc_m = _mm256_fmadd_ps(_mm256_set1_ps(fp16(x[b].m) * dy), _mm256_cvtepi32_ps(sum_i8(act)), acc_m);
    }
    return hsum(_mm256_add_ps(acc, acc_m));
}

template <typename Block, typename Quants>
float dot_32_signed(int64_t n, const void *w, const void *a, Quants quants) {
    const Block *x = static_cast<const Block *>(w);
    const BlockQ8_0 *y = static_cast<const BlockQ8_0 *>(a);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 32; ++b) {
        const __m256i sums = dot_i8(quants(x[b]), load256(y[b].qs));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(fp16(x[b].d) * fp16(y[b].d)), _mm256_cvtepi32_ps(sums), acc);
    }
    return hsum(acc);
}

// Q2_K/Q3_K: the 32 two-bit fields at bit 2g of each byte of qs.
__m256i two_bits(__m256i qs, int g) {
    return _mm256_and_si256(_mm256_srli_epi16(qs, 2 * g), _mm256_set1_epi8(3));
}

// int16 pair sums of 32 elements whose first 16 take scale lo and last 16 scale hi, as 8 int32.
__m256i scale_halves(__m256i pair_sums, int lo, int hi) {
    return _mm256_madd_epi16(pair_sums, _mm256_set_m128i(_mm_set1_epi16(static_cast<int16_t>(hi)),
                                                         _mm_set1_epi16(static_cast<int16_t>(lo))));
}

}  // namespace

namespace {

struct F32 {
    using Elem = float;
    static __m256 vector(const float *p) { return _mm256_loadu_ps(p); }
    static float scalar(float f) { return f; }
};

struct F16 {
    using Elem = uint16_t;
    static __m256 vector(const uint16_t *p) {
        return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
    }
    static float scalar(uint16_t h) { return fp16(h); }
};

struct BF16 {
    using Elem = uint16_t;
    static __m256 vector(const uint16_t *p) {
        return _mm256_castsi256_ps(
            _mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p))), 16));
    }
    static float scalar(uint16_t h) { return bf16_to_fp32(h); }
};

// R weight rows (F32, or F16/BF16 widened) x T float activation rows in registers: each weight vector feeds
// T multiply-adds and each loaded activation vector R, where a dot product loads one of each per
// multiply-add. Every pair accumulates in the single dot's order (even 8-element chunks in acc0,
// odd in acc1, then the scalar tail), so a block equals R x T dot products bit for bit.
// Widen is a type (F32, F16 or BF16 above), not a function pointer, so its loads inline.
template <int R, int T, typename Widen>
void dot_block(int64_t n, const uint8_t *w, size_t w_stride, const uint8_t *a, size_t a_stride, float *out,
               size_t out_stride) {
    const typename Widen::Elem *x[R];
    const float *y[T];
    for (int r = 0; r < R; ++r) x[r] = reinterpret_cast<const typename Widen::Elem *>(w + r * w_stride);
    for (int t = 0; t < T; ++t) y[t] = reinterpret_cast<const float *>(a + t * a_stride);
    __m256 acc0[R][T], acc1[R][T];
    for (int r = 0; r < R; ++r) {
        for (int t = 0; t < T; ++t) {
            acc0[r][t] = _mm256_setzero_ps();
            acc1[r][t] = _mm256_setzero_ps();
        }
    }
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 wv[R];
        for (int r = 0; r < R; ++r) wv[r] = Widen::vector(x[r] + i);
        for (int t = 0; t < T; ++t) {
            const __m256 av = _mm256_loadu_ps(y[t] + i);
            for (int r = 0; r < R; ++r) acc0[r][t] = _mm256_fmadd_ps(wv[r], av, acc0[r][t]);
        }
        for (int r = 0; r < R; ++r) wv[r] = Widen::vector(x[r] + i + 8);
        for (int t = 0; t < T; ++t) {
            const __m256 av = _mm256_loadu_ps(y[t] + i + 8);
            for (int r = 0; r < R; ++r) acc1[r][t] = _mm256_fmadd_ps(wv[r], av, acc1[r][t]);
        }
    }
    for (int r = 0; r < R; ++r) {
        for (int t = 0; t < T; ++t) {
            float sum = hsum(_mm256_add_ps(acc0[r][t], acc1[r][t]));
            for (int64_t j = i; j < n; ++j) sum += Widen::scalar(x[r][j]) * y[t][j];
            out[t * out_stride + r] = sum;
        }
    }
}

// Blocks of kRows weight rows x kTokens tokens (12 accumulators, 3 weights and 1 activation fill
// the 16 ymm registers; measured faster than 2 x 3 and 1 x 4), then the remainders.
constexpr int kRows = 3, kTokens = 2;

template <int T, typename Widen>
void dot_rows(int64_t n, const uint8_t *w, size_t w_stride, int64_t rows, const uint8_t *a, size_t a_stride, float *out,
              size_t out_stride) {
    // A lone token (decode) has no loads to share and reads its rows one at a time: three
    // interleaved rows measured slower when the weights stream from memory.
    constexpr int kBlock = T == 1 ? 1 : kRows;
    int64_t r = 0;
    for (; r + kBlock <= rows; r += kBlock)
        dot_block<kBlock, T, Widen>(n, w + r * w_stride, w_stride, a, a_stride, out + r, out_stride);
    if constexpr (kBlock > 1) {
        static_assert(kRows == 3, "the remainder below covers 1 or 2 rows");
        if (rows - r == 2) dot_block<2, T, Widen>(n, w + r * w_stride, w_stride, a, a_stride, out + r, out_stride);
        if (rows - r == 1) dot_block<1, T, Widen>(n, w + r * w_stride, w_stride, a, a_stride, out + r, out_stride);
    }
}

template <typename Widen>
void tile_rows(int64_t n, const void *weights, size_t w_stride, int64_t rows, const void *act, size_t act_stride,
               int64_t tokens, float *out, size_t out_stride) {
    const auto *w = static_cast<const uint8_t *>(weights);
    const auto *a = static_cast<const uint8_t *>(act);
    int64_t t = 0;
    for (; t + kTokens <= tokens; t += kTokens)
        dot_rows<kTokens, Widen>(n, w, w_stride, rows, a + t * act_stride, act_stride, out + t * out_stride,
                                 out_stride);
    static_assert(kTokens == 2, "the remainder below covers 1 token");
    if (t < tokens)
        dot_rows<1, Widen>(n, w, w_stride, rows, a + t * act_stride, act_stride, out + t * out_stride, out_stride);
}

}  // namespace

float dot_f32(int64_t n, const void *w, const void *a) {
    float out;
    dot_block<1, 1, F32>(n, static_cast<const uint8_t *>(w), 0, static_cast<const uint8_t *>(a), 0, &out, 0);
    return out;
}

void tile_f32(int64_t n, const void *w, size_t w_stride, int64_t rows, const void *a, size_t a_stride, int64_t tokens,
              float *out, size_t out_stride) {
    tile_rows<F32>(n, w, w_stride, rows, a, a_stride, tokens, out, out_stride);
}

float dot_f16(int64_t n, const void *w, const void *a) {
    float out;
    dot_block<1, 1, F16>(n, static_cast<const uint8_t *>(w), 0, static_cast<const uint8_t *>(a), 0, &out, 0);
    return out;
}

void tile_f16(int64_t n, const void *w, size_t w_stride, int64_t rows, const void *a, size_t a_stride, int64_t tokens,
              float *out, size_t out_stride) {
    tile_rows<F16>(n, w, w_stride, rows, a, a_stride, tokens, out, out_stride);
}

float dot_bf16(int64_t n, const void *w, const void *a) {
    float out;
    dot_block<1, 1, BF16>(n, static_cast<const uint8_t *>(w), 0, static_cast<const uint8_t *>(a), 0, &out, 0);
    return out;
}

void tile_bf16(int64_t n, const void *w, size_t w_stride, int64_t rows, const void *a, size_t a_stride, int64_t tokens,
               float *out, size_t out_stride) {
    tile_rows<BF16>(n, w, w_stride, rows, a, a_stride, tokens, out, out_stride);
}

float dot_q8_0(int64_t n, const void *w, const void *a) {
    const BlockQ8_0 *x = static_cast<const BlockQ8_0 *>(w), *y = static_cast<const BlockQ8_0 *>(a);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK8_0; ++b) {
        const __m256i sums = dot_i8(load256(x[b].qs), load256(y[b].qs));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(fp16(x[b].d) * fp16(y[b].d)), _mm256_cvtepi32_ps(sums), acc);
    }
    return hsum(acc);
}

float dot_q4_0(int64_t n, const void *w, const void *a) {
    const BlockQ4_0 *x = static_cast<const BlockQ4_0 *>(w);
    const BlockQ8_0 *y = static_cast<const BlockQ8_0 *>(a);
    const __m256i low4 = _mm256_set1_epi8(0xF), eight = _mm256_set1_epi8(8);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK4_0; ++b) {
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i *>(x[b].qs));
        // Elements 0..15 are the low nibbles, 16..31 the high nibbles.
        const __m256i nibbles = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(packed, 4), packed), low4);
        const __m256i sums = dot_i8(_mm256_sub_epi8(nibbles, eight), load256(y[b].qs));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(fp16(x[b].d) * fp16(y[b].d)), _mm256_cvtepi32_ps(sums), acc);
    }
    return hsum(acc);
}

// Shared by Q4_K and Q5_K: scales into `scales`, and the min term sum_j m_j * sum(a_j) from
// the Q8_K sums of 16 (pairs added, then one madd with the mins).
static int k4_scales_and_min_sum(const uint8_t *packed_scales, const int16_t *bsums, uint8_t *scales_mins) {
    k4_unpack_scales_mins(packed_scales, scales_mins);
    const __m256i sums16 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bsums));
    const __m128i pairs = _mm_hadd_epi16(_mm256_castsi256_si128(sums16), _mm256_extracti128_si256(sums16, 1));
    const __m128i mins = _mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(scales_mins + 8)));
    __m128i prod = _mm_madd_epi16(pairs, mins);
    prod = _mm_add_epi32(prod, _mm_shuffle_epi32(prod, _MM_SHUFFLE(1, 0, 3, 2)));
    prod = _mm_add_epi32(prod, _mm_shuffle_epi32(prod, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(prod);
}

float dot_q4_K(int64_t n, const void *w, const void *a) {
    const BlockQ4_K *x = static_cast<const BlockQ4_K *>(w);
    const BlockQ8_K *y = static_cast<const BlockQ8_K *>(a);
    const __m256i low4 = _mm256_set1_epi8(0xF);
    __m256 acc = _mm256_setzero_ps();
    float min_acc = 0.0f;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        uint8_t sm[16];
        const int mins = k4_scales_and_min_sum(x[b].scales, y[b].bsums, sm);
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < 4; ++j) {
            const __m256i q = load256(x[b].qs + 32 * j);
            const __m256i lo = _mm256_and_si256(q, low4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
            sumi = _mm256_add_epi32(sumi, dot_u8_scaled(lo, load256(y[b].qs + 64 * j), _mm256_set1_epi16(sm[2 * j])));
            sumi = _mm256_add_epi32(
                sumi, dot_u8_scaled(hi, load256(y[b].qs + 64 * j + 32), _mm256_set1_epi16(sm[2 * j + 1])));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(fp16(x[b].d) * y[b].d), _mm256_cvtepi32_ps(sumi), acc);
        min_acc += fp16(x[b].dmin) * y[b].d * static_cast<float>(mins);
    }
    return hsum(acc) - min_acc;
}

float dot_q5_K(int64_t n, const void *w, const void *a) {
    const BlockQ5_K *x = static_cast<const BlockQ5_K *>(w);
    const BlockQ8_K *y = static_cast<const BlockQ8_K *>(a);
    const __m256i low4 = _mm256_set1_epi8(0xF), one = _mm256_set1_epi8(1);
    __m256 acc = _mm256_setzero_ps();
    float min_acc = 0.0f;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        uint8_t sm[16];
        const int mins = k4_scales_and_min_sum(x[b].scales, y[b].bsums, sm);
        const __m256i qh = load256(x[b].qh);
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < 4; ++j) {
            const __m256i q = load256(x[b].qs + 32 * j);
            // Fifth bits: bit 2j of qh for the low nibbles, bit 2j+1 for the high ones.
            const __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * j), one), 4);
            const __m256i h1 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * j + 1), one), 4);
            const __m256i lo = _mm256_or_si256(_mm256_and_si256(q, low4), h0);
            const __m256i hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), low4), h1);
            sumi = _mm256_add_epi32(sumi, dot_u8_scaled(lo, load256(y[b].qs + 64 * j), _mm256_set1_epi16(sm[2 * j])));
            sumi = _mm256_add_epi32(
                sumi, dot_u8_scaled(hi, load256(y[b].qs + 64 * j + 32), _mm256_set1_epi16(sm[2 * j + 1])));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(fp16(x[b].d) * y[b].d), _mm256_cvtepi32_ps(sumi), acc);
        min_acc += fp16(x[b].dmin) * y[b].d * static_cast<float>(mins);
    }
    return hsum(acc) - min_acc;
}

float dot_q6_K(int64_t n, const void *w, const void *a) {
    const BlockQ6_K *x = static_cast<const BlockQ6_K *>(w);
    const BlockQ8_K *y = static_cast<const BlockQ8_K *>(a);
    const __m256i low4 = _mm256_set1_epi8(0xF), two_bits = _mm256_set1_epi8(3), offset = _mm256_set1_epi8(32);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; ++b) {
        __m256i sumi = _mm256_setzero_si256();
        for (int half = 0; half < 2; ++half) {
            const uint8_t *ql = x[b].ql + 64 * half;
            const int8_t *sc = x[b].scales + 8 * half;
            const int8_t *p = y[b].qs + 128 * half;
            const __m256i qh = load256(x[b].qh + 32 * half);
            const __m256i ql0 = load256(ql), ql1 = load256(ql + 32);
            const __m256i q[4] = {
                _mm256_or_si256(_mm256_and_si256(ql0, low4), _mm256_slli_epi16(_mm256_and_si256(qh, two_bits), 4)),
                _mm256_or_si256(_mm256_and_si256(ql1, low4),
                                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), two_bits), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4),
                                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), two_bits), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4),
                                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), two_bits), 4)),
            };
            for (int k = 0; k < 4; ++k) {
                const __m256i act = load256(p + 32 * k);
                // (q - 32) . a = q . a - 32 . a; elements 0..15 use scale 2k, 16..31 scale 2k+1.
                const __m256i products =
                    _mm256_sub_epi16(_mm256_maddubs_epi16(q[k], act), _mm256_maddubs_epi16(offset, act));
                const __m256i scales = _mm256_set_m128i(_mm_set1_epi16(sc[2 * k + 1]), _mm_set1_epi16(sc[2 * k]));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(products, scales));
            }
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(fp16(x[b].d) * y[b].d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum(acc);
}

float dot_q4_1(int64_t n, const void *w, const void *a) {
    return dot_32_offset<BlockQ4_1>(n, w, a, [](const BlockQ4_1 &b) { return nibbles32(b.qs); });
}

float dot_q5_1(int64_t n, const void *w, const void *a) {
    return dot_32_offset<BlockQ5_1>(
        n, w, a, [](const BlockQ5_1 &b) { return _mm256_or_si256(nibbles32(b.qs), fifth_bits(b.qh)); });
}

float dot_q5_0(int64_t n, const void *w, const void *a) {
    return dot_32_signed<BlockQ5_0>(n, w, a, [](const BlockQ5_0 &b) {
        return _mm256_sub_epi8(_mm256_or_si256(nibbles32(b.qs), fifth_bits(b.qh)), _mm256_set1_epi8(16));
    });
}

float dot_iq4_nl(int64_t n, const void *w, const void *a) {
    return dot_32_signed<BlockIQ4_NL>(n, w, a, [](const BlockIQ4_NL &b) { return iq4_values(nibbles32(b.qs)); });
}

float dot_iq4_xs(int64_t n, const void *w, const void *a) {
    const BlockIQ4_XS *x = static_cast<const BlockIQ4_XS *>(w);
    const BlockQ8_K *y = static_cast<const BlockQ8_K *>(a);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; ++b) {
        __m256i sumi = _mm256_setzero_si256();
        for (int sub = 0; sub < 8; ++sub) {
            const __m256i sums = dot_i8(iq4_values(nibbles32(x[b].qs + 16 * sub)), load256(y[b].qs + 32 * sub));
            sumi = _mm256_add_epi32(sumi, _mm256_mullo_epi32(sums, _mm256_set1_epi32(iq4xs_scale(x[b], sub))));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(fp16(x[b].d) * y[b].d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum(acc);
}

float dot_q2_K(int64_t n, const void *w, const void *a) {
    const BlockQ2_K *x = static_cast<const BlockQ2_K *>(w);
    const BlockQ8_K *y = static_cast<const BlockQ8_K *>(a);
    __m256 acc = _mm256_setzero_ps();
    float min_acc = 0.0f;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const uint8_t *sc = x[b].scales;
        __m256i sumi = _mm256_setzero_si256();
        for (int h = 0; h < 2; ++h) {
            const __m256i qs = load256(x[b].qs + 32 * h);
            for (int g = 0; g < 4; ++g) {
                const int s = 8 * h + 2 * g;
                const __m256i pairs = _mm256_maddubs_epi16(two_bits(qs, g), load256(y[b].qs + 128 * h + 32 * g));
                sumi = _mm256_add_epi32(sumi, scale_halves(pairs, sc[s] & 0xF, sc[s + 1] & 0xF));
            }
        }
        int mins = 0;
        for (int i = 0; i < 16; ++i) mins += (sc[i] >> 4) * y[b].bsums[i];
        acc = _mm256_fmadd_ps(_mm256_set1_ps(fp16(x[b].d) * y[b].d), _mm256_cvtepi32_ps(sumi), acc);
        min_acc += fp16(x[b].dmin) * y[b].d * static_cast<float>(mins);
    }
    return hsum(acc) - min_acc;
}

float dot_q3_K(int64_t n, const void *w, const void *a) {
    const BlockQ3_K *x = static_cast<const BlockQ3_K *>(w);
    const BlockQ8_K *y = static_cast<const BlockQ8_K *>(a);
    const __m256i one = _mm256_set1_epi8(1), four = _mm256_set1_epi8(4);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const __m256i hmask = load256(x[b].hmask);
        __m256i sumi = _mm256_setzero_si256();
        for (int h = 0; h < 2; ++h) {
            const __m256i qs = load256(x[b].qs + 32 * h);
            for (int g = 0; g < 4; ++g) {
                // q + 4 in 0..7 (high bit set means no -4), then (q + 4) . a - 4 . a.
                const __m256i high = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hmask, 4 * h + g), one), 2);
                const __m256i act = load256(y[b].qs + 128 * h + 32 * g);
                const __m256i pairs = _mm256_sub_epi16(
                    _mm256_maddubs_epi16(_mm256_or_si256(two_bits(qs, g), high), act), _mm256_maddubs_epi16(four, act));
                const int s = 8 * h + 2 * g;
                sumi = _mm256_add_epi32(sumi,
                                        scale_halves(pairs, q3k_scale(x[b].scales, s), q3k_scale(x[b].scales, s + 1)));
            }
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(fp16(x[b].d) * y[b].d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum(acc);
}

void quantize_q8_0(const float *x, void *dst, int64_t n) {
    BlockQ8_0 *y = static_cast<BlockQ8_0 *>(dst);
    const __m256 sign_mask = _mm256_set1_ps(-0.0f);
    for (int64_t b = 0; b < n / QK8_0; ++b, x += QK8_0) {
        __m256 v[4], amax = _mm256_setzero_ps();
        for (int k = 0; k < 4; ++k) {
            v[k] = _mm256_loadu_ps(x + 8 * k);
            amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign_mask, v[k]));
        }
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        m = _mm_max_ss(m, _mm_movehdup_ps(m));
        const float d = _mm_cvtss_f32(m) / 127.0f;
        const __m256 id = _mm256_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
        y[b].d = fp32_to_fp16(d);
        __m256i q[4];
        for (int k = 0; k < 4; ++k)
            q[k] = _mm256_cvtps_epi32(
                _mm256_round_ps(_mm256_mul_ps(v[k], id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        // Pack 32-bit -> 16 -> 8; packs interleave lanes, the permute restores element order.
        const __m256i q16a = _mm256_packs_epi32(q[0], q[1]), q16b = _mm256_packs_epi32(q[2], q[3]);
        const __m256i q8 =
            _mm256_permutevar8x32_epi32(_mm256_packs_epi16(q16a, q16b), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(y[b].qs), q8);
    }
}

void quantize_q8_K(const float *x, void *dst, int64_t n) {
    quantize_row_q8_K(x, static_cast<BlockQ8_K *>(dst), n);
}

namespace {

// NF4 against float activations, R activation rows (`stride` bytes apart) at once: each chunk's 8
// bytes give 8 low-nibble and 8 high-nibble codes, decoded once for all rows.
template <int R>
void dot_nf4_rows(int64_t n, const void *w, const void *a, size_t stride, float *out) {
    const BlockNF4 *x = static_cast<const BlockNF4 *>(w);
    __m256 acc[R];
    for (int r = 0; r < R; ++r) acc[r] = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_NF4; ++b) {
        __m256 sum[R];
        for (int r = 0; r < R; ++r) sum[r] = _mm256_setzero_ps();
        for (int c = 0; c < QK_NF4 / 16; ++c) {
            const __m256i bytes =
                _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(x[b].qs + 8 * c)));
            const __m256 low = nf4_values(_mm256_and_si256(bytes, _mm256_set1_epi32(0xF)));
            const __m256 high = nf4_values(_mm256_srli_epi32(bytes, 4));
            for (int r = 0; r < R; ++r) {
                const float *y =
                    reinterpret_cast<const float *>(static_cast<const uint8_t *>(a) + r * stride) + QK_NF4 * b + 16 * c;
                sum[r] = _mm256_fmadd_ps(low, _mm256_loadu_ps(y), sum[r]);
                sum[r] = _mm256_fmadd_ps(high, _mm256_loadu_ps(y + 8), sum[r]);
            }
        }
        for (int r = 0; r < R; ++r) acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(x[b].d), sum[r], acc[r]);
    }
    for (int r = 0; r < R; ++r) out[r] = hsum(acc[r]);
}

}  // namespace

float dot_nf4(int64_t n, const void *w, const void *a) {
    float out;
    dot_nf4_rows<1>(n, w, a, 0, &out);
    return out;
}

void tile_nf4(int64_t n, const void *w, size_t w_stride, int64_t rows, const void *a, size_t a_stride, int64_t tokens,
              float *out, size_t out_stride) {
    tile_by_four<dot_nf4_rows<4>, dot_nf4>(n, w, w_stride, rows, a, a_stride, tokens, out, out_stride);
}

void axpy(int64_t n, float a, const float *x, float *y) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] += a * x[i];
}

namespace {

// exp(z) for z <= 0 (Cephes' expf: z = n ln2 + r, |r| <= ln2/2, degree-5 polynomial, 2^n in the
// exponent bits), about 1 ulp; 0 below -87.3, where exp(z) would leave the normal range.
__m256 exp_nonpositive(__m256 z) {
    const __m256 underflow = _mm256_cmp_ps(z, _mm256_set1_ps(-87.3f), _CMP_LT_OQ);
    z = _mm256_max_ps(z, _mm256_set1_ps(-87.3f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(z, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), z);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i pow2n = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_andnot_ps(underflow, _mm256_mul_ps(p, _mm256_castsi256_ps(pow2n)));
}

// The scalar kernels' times_sigmoid on eight floats.
__m256 times_sigmoid8(__m256 x, __m256 z) {
    const __m256 t = exp_nonpositive(_mm256_or_ps(z, _mm256_set1_ps(-0.0f)));
    const __m256 num = _mm256_blendv_ps(x, _mm256_mul_ps(x, t), z);  // x * t where z < 0
    return _mm256_div_ps(num, _mm256_add_ps(_mm256_set1_ps(1.0f), t));
}

// The scalar kernel's formula on eight floats.
__m256 gelu8(__m256 x) {
    const __m256 k = _mm256_set1_ps(kGeluSqrt2OverPi), kc = _mm256_set1_ps(kGeluSqrt2OverPi * kGeluCubic);
    const __m256 u = _mm256_mul_ps(x, _mm256_fmadd_ps(kc, _mm256_mul_ps(x, x), k));
    return times_sigmoid8(x, _mm256_add_ps(u, u));
}

// Lanes [0, left) for a row's tail of left < 8 floats. The tail goes through the same lanes (masked
// loads read zeros elsewhere): an element's result must not depend on where the row ends.
__m256i tail_mask(int64_t left) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(left)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

}  // namespace

void gelu(float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, gelu8(_mm256_loadu_ps(x + i)));
    if (i == n) return;
    const __m256i m = tail_mask(n - i);
    _mm256_maskstore_ps(x + i, m, gelu8(_mm256_maskload_ps(x + i, m)));
}

void silu_mul(float *gate, const float *up, int64_t n) {
    const auto silu_mul8 = [](__m256 g, __m256 u) { return _mm256_mul_ps(times_sigmoid8(g, g), u); };
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(gate + i, silu_mul8(_mm256_loadu_ps(gate + i), _mm256_loadu_ps(up + i)));
    if (i == n) return;
    const __m256i m = tail_mask(n - i);
    _mm256_maskstore_ps(gate + i, m, silu_mul8(_mm256_maskload_ps(gate + i, m), _mm256_maskload_ps(up + i, m)));
}

}  // namespace llcuda::avx2

namespace llcuda {

const CpuKernels &avx2_kernels() {
    using namespace avx2;
    static const CpuKernels kernels = {
        SimdLevel::Avx2,
        {ActFormat::F32, dot_f32, tile_f32},
        {ActFormat::F32, dot_f16, tile_f16},
        {ActFormat::F32, dot_bf16, tile_bf16},
        {ActFormat::Q8_0, dot_q8_0},
        {ActFormat::Q8_0, dot_q4_0},
        {ActFormat::Q8_K, dot_q4_K},
        {ActFormat::Q8_K, dot_q5_K},
        {ActFormat::Q8_K, dot_q6_K},
        quantize_q8_0,
        quantize_q8_K,
        axpy,
        {ActFormat::Q8_0, dot_q4_1},
        {ActFormat::Q8_0, dot_q5_0},
        {ActFormat::Q8_0, dot_q5_1},
        {ActFormat::Q8_K, dot_q2_K},
        {ActFormat::Q8_K, dot_q3_K},
        {ActFormat::Q8_0, dot_iq4_nl},
        {ActFormat::Q8_K, dot_iq4_xs},
        {ActFormat::F32, dot_nf4, tile_nf4},
        gelu,
        silu_mul,
    };
    return kernels;
}

}  // namespace llcuda
