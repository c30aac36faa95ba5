// AVX-512 kernels: 16-wide float products for F32/F16/BF16 weights and VNNI (vpdpbusd: four
// unsigned x signed byte products summed into int32 in one instruction) for the K-quants that
// dominate Q4_K_M files. Q8_0/Q4_0/Q5_K keep the AVX2 kernels, whose 32-byte blocks already
// fill a 256-bit register per block.
// GCC 12 reports its own _mm512_undefined_* placeholders inside the intrinsics as uninitialized.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "cpu/avx2/dot_avx2.h"
#include "cpu/kernels.h"
#include "ggml_blocks.h"
#include "half.h"
#include "quants.h"

namespace llcuda::avx512 {

namespace {

template <class Load>
float dot_wide(int64_t n, const float *y, Load load, float (*tail)(int64_t, const void *, const void *), const void *w,
               int elem_bytes) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm512_fmadd_ps(load(i), _mm512_loadu_ps(y + i), acc0);
        acc1 = _mm512_fmadd_ps(load(i + 16), _mm512_loadu_ps(y + i + 16), acc1);
    }
    for (; i + 16 <= n; i += 16) acc0 = _mm512_fmadd_ps(load(i), _mm512_loadu_ps(y + i), acc0);
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
    if (i < n) sum += tail(n - i, static_cast<const uint8_t *>(w) + i * elem_bytes, y + i);
    return sum;
}

float dot_f32(int64_t n, const void *w, const void *a) {
    const float *x = static_cast<const float *>(w);
    return dot_wide(
        n, static_cast<const float *>(a), [x](int64_t i) { return _mm512_loadu_ps(x + i); }, avx2::dot_f32, w, 4);
}

float dot_f16(int64_t n, const void *w, const void *a) {
    const uint16_t *x = static_cast<const uint16_t *>(w);
    return dot_wide(
        n, static_cast<const float *>(a),
        [x](int64_t i) { return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(x + i))); },
        avx2::dot_f16, w, 2);
}

float dot_bf16(int64_t n, const void *w, const void *a) {
    const uint16_t *x = static_cast<const uint16_t *>(w);
    return dot_wide(
        n, static_cast<const float *>(a),
        [x](int64_t i) {
            const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(x + i));
            return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
        },
        avx2::dot_bf16, w, 2);
}

float fp16(uint16_t h) {
    return _cvtsh_ss(h);
}

// 64 four-bit quants of two sub-blocks from 32 bytes: low nibbles then high nibbles.
__m512i nibbles64(const uint8_t *q) {
    const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(q));
    const __m512i both = _mm512_inserti64x4(_mm512_castsi256_si512(packed), _mm256_srli_epi16(packed, 4), 1);
    return _mm512_and_si512(both, _mm512_set1_epi8(0xF));
}

// R activation rows (R = 1: a dot product; R = 4: a prompt tile sharing the weight decoding).
template <int R>
void dot_q4_K_rows(int64_t n, const void *w, const void *a, size_t stride, float *out) {
    const BlockQ4_K *x = static_cast<const BlockQ4_K *>(w);
    // Lanes 0..7 of a 64-element chunk belong to sub-block 2j, lanes 8..15 to 2j+1.
    const __m512i lane_sub[4] = {
        _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
        _mm512_set_epi32(3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2),
        _mm512_set_epi32(5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 4),
        _mm512_set_epi32(7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 6, 6),
    };
    __m512 acc[R];
    float min_acc[R];
    for (int r = 0; r < R; ++r) {
        acc[r] = _mm512_setzero_ps();
        min_acc[r] = 0.0f;
    }
    for (int64_t b = 0; b < n / QK_K; ++b) {
        uint8_t sm[16];
        k4_unpack_scales_mins(x[b].scales, sm);
        const __m512i scales = _mm512_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(sm)));
        const __m128i mins16 = _mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(sm + 8)));
        __m512i q[4], sc[4];
        for (int j = 0; j < 4; ++j) {
            q[j] = nibbles64(x[b].qs + 32 * j);
            sc[j] = _mm512_permutexvar_epi32(lane_sub[j], scales);
        }
        const float d = fp16(x[b].d), dmin = fp16(x[b].dmin);
        for (int r = 0; r < R; ++r) {
            const BlockQ8_K &y = reinterpret_cast<const BlockQ8_K *>(static_cast<const uint8_t *>(a) + r * stride)[b];
            __m512i sumi = _mm512_setzero_si512();
            for (int j = 0; j < 4; ++j) {
                const __m512i products =
                    _mm512_dpbusd_epi32(_mm512_setzero_si512(), q[j], _mm512_loadu_si512(y.qs + 64 * j));
                sumi = _mm512_add_epi32(sumi, _mm512_mullo_epi32(products, sc[j]));
            }
            // sum_j m_j * sum(a_j): pairs of 16-sums added, one madd with the mins.
            const __m256i sums16 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(y.bsums));
            const __m128i pairs = _mm_hadd_epi16(_mm256_castsi256_si128(sums16), _mm256_extracti128_si256(sums16, 1));
            __m128i prod = _mm_madd_epi16(pairs, mins16);
            prod = _mm_add_epi32(prod, _mm_shuffle_epi32(prod, _MM_SHUFFLE(1, 0, 3, 2)));
            prod = _mm_add_epi32(prod, _mm_shuffle_epi32(prod, _MM_SHUFFLE(2, 3, 0, 1)));
            acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(d * y.d), _mm512_cvtepi32_ps(sumi), acc[r]);
            min_acc[r] += dmin * y.d * static_cast<float>(_mm_cvtsi128_si32(prod));
        }
    }
    for (int r = 0; r < R; ++r) out[r] = _mm512_reduce_add_ps(acc[r]) - min_acc[r];
}

float dot_q4_K(int64_t n, const void *w, const void *a) {
    float out;
    dot_q4_K_rows<1>(n, w, a, 0, &out);
    return out;
}

template <int R>
void dot_q6_K_rows(int64_t n, const void *w, const void *a, size_t stride, float *out) {
    const BlockQ6_K *x = static_cast<const BlockQ6_K *>(w);
    const __m512i low4 = _mm512_set1_epi8(0xF), two_bits = _mm512_set1_epi8(3), offset = _mm512_set1_epi8(32);
    // Lanes (4 elements each) of 64-element chunk c (0..3) use scale 4c + lane/4.
    const __m512i lane_scale = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
    __m512 acc[R];
    for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const __m512i all_scales =
            _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(x[b].scales)));
        __m512i q[4], sc[4];
        for (int half = 0; half < 2; ++half) {
            // 64 bytes of ql hold elements 0..63 (low nibbles) and 64..127 (high nibbles) of this
            // half; qh bits (0,2) / (4,6) of bytes 0..31 complete elements 0..63 / 64..127.
            const __m512i ql = _mm512_loadu_si512(x[b].ql + 64 * half);
            const __m256i qh32 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(x[b].qh + 32 * half));
            const __m512i qh = _mm512_inserti64x4(_mm512_castsi256_si512(qh32), _mm256_srli_epi16(qh32, 2), 1);
            q[2 * half] =
                _mm512_or_si512(_mm512_and_si512(ql, low4), _mm512_slli_epi16(_mm512_and_si512(qh, two_bits), 4));
            q[2 * half + 1] =
                _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), low4),
                                _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(qh, 4), two_bits), 4));
        }
        for (int c = 0; c < 4; ++c)
            sc[c] = _mm512_permutexvar_epi32(_mm512_add_epi32(lane_scale, _mm512_set1_epi32(4 * c)), all_scales);
        const float d = fp16(x[b].d);
        for (int r = 0; r < R; ++r) {
            const BlockQ8_K &y = reinterpret_cast<const BlockQ8_K *>(static_cast<const uint8_t *>(a) + r * stride)[b];
            __m512i sumi = _mm512_setzero_si512();
            for (int c = 0; c < 4; ++c) {
                const __m512i act = _mm512_loadu_si512(y.qs + 64 * c);
                // (q - 32) . a per 4 lanes, times the scale of the lane's 16 elements.
                const __m512i products = _mm512_sub_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), q[c], act),
                                                          _mm512_dpbusd_epi32(_mm512_setzero_si512(), offset, act));
                sumi = _mm512_add_epi32(sumi, _mm512_mullo_epi32(products, sc[c]));
            }
            acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(d * y.d), _mm512_cvtepi32_ps(sumi), acc[r]);
        }
    }
    for (int r = 0; r < R; ++r) out[r] = _mm512_reduce_add_ps(acc[r]);
}

float dot_q6_K(int64_t n, const void *w, const void *a) {
    float out;
    dot_q6_K_rows<1>(n, w, a, 0, &out);
    return out;
}

}  // namespace

}  // namespace llcuda::avx512

namespace llcuda {

const CpuKernels &avx512_kernels() {
    static const CpuKernels kernels = {
        SimdLevel::Avx512,
        {ActFormat::F32, avx512::dot_f32},
        {ActFormat::F32, avx512::dot_f16},
        {ActFormat::F32, avx512::dot_bf16},
        {ActFormat::Q8_0, avx2::dot_q8_0},
        {ActFormat::Q8_0, avx2::dot_q4_0},
        {ActFormat::Q8_K, avx512::dot_q4_K, tile_by_four<avx512::dot_q4_K_rows<4>, avx512::dot_q4_K>},
        {ActFormat::Q8_K, avx2::dot_q5_K},
        {ActFormat::Q8_K, avx512::dot_q6_K, tile_by_four<avx512::dot_q6_K_rows<4>, avx512::dot_q6_K>},
        avx2::quantize_q8_0,
        avx2::quantize_q8_K,
        avx2::axpy,
        {ActFormat::Q8_0, avx2::dot_q4_1},
        {ActFormat::Q8_0, avx2::dot_q5_0},
        {ActFormat::Q8_0, avx2::dot_q5_1},
        {ActFormat::Q8_K, avx2::dot_q2_K},
        {ActFormat::Q8_K, avx2::dot_q3_K},
        {ActFormat::Q8_0, avx2::dot_iq4_nl},
        {ActFormat::Q8_K, avx2::dot_iq4_xs},
        {ActFormat::F32, avx2::dot_nf4, avx2::tile_nf4},
        avx2::gelu,
        avx2::silu_mul,
    };
    return kernels;
}

}  // namespace llcuda
