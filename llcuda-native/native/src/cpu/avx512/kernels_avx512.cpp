// AVX-512 kernels: 16-wide float products for F32/F16/BF16 weights; the block-quantized types
// keep the AVX2 kernels, whose 32-byte blocks already fill a 256-bit register per block.
// GCC 12 reports its own _mm512_undefined_* placeholders inside the intrinsics as uninitialized.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "cpu/avx2/dot_avx2.h"
#include "cpu/kernels.h"
#include "half.h"

namespace llcuda::avx512 {

namespace {

template <class Load>
float dot_wide(int64_t n, const float *y, Load load, float (*tail)(int64_t, const void *, const void *), const void *w, int elem_bytes) {
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
    return dot_wide(n, static_cast<const float *>(a), [x](int64_t i) { return _mm512_loadu_ps(x + i); }, avx2::dot_f32, w, 4);
}

float dot_f16(int64_t n, const void *w, const void *a) {
    const uint16_t *x = static_cast<const uint16_t *>(w);
    return dot_wide(n, static_cast<const float *>(a),
                    [x](int64_t i) { return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(x + i))); },
                    avx2::dot_f16, w, 2);
}

float dot_bf16(int64_t n, const void *w, const void *a) {
    const uint16_t *x = static_cast<const uint16_t *>(w);
    return dot_wide(n, static_cast<const float *>(a),
                    [x](int64_t i) {
                        const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(x + i));
                        return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
                    },
                    avx2::dot_bf16, w, 2);
}

}  // namespace

}  // namespace llcuda::avx512

namespace llcuda {

const CpuKernels &avx512_kernels() {
    static const CpuKernels kernels = {
        SimdLevel::Avx512,
        {ActFormat::F32, avx512::dot_f32},  {ActFormat::F32, avx512::dot_f16},  {ActFormat::F32, avx512::dot_bf16},
        {ActFormat::Q8_0, avx2::dot_q8_0}, {ActFormat::Q8_0, avx2::dot_q4_0}, {ActFormat::Q8_K, avx2::dot_q4_K},
        {ActFormat::Q8_K, avx2::dot_q5_K}, {ActFormat::Q8_K, avx2::dot_q6_K}, avx2::quantize_q8_0, avx2::quantize_q8_K,
    };
    return kernels;
}

}  // namespace llcuda
