// AVX2 dot products (defined in kernels_avx2.cpp, compiled with -mavx2 -mfma -mf16c); the
// AVX-512 table reuses the ones it does not widen. Call only when the CPU has AVX2.
#pragma once

#include <cstddef>
#include <cstdint>

namespace llcuda::avx2 {

float dot_f32(int64_t n, const void *w, const void *a);
void tile_f32(int64_t n, const void *w, size_t w_stride, int64_t rows, const void *a, size_t a_stride, int64_t tokens,
              float *out, size_t out_stride);
float dot_f16(int64_t n, const void *w, const void *a);
float dot_bf16(int64_t n, const void *w, const void *a);
void tile_f16(int64_t n, const void *w, size_t w_stride, int64_t rows, const void *a, size_t a_stride, int64_t tokens,
              float *out, size_t out_stride);
void tile_bf16(int64_t n, const void *w, size_t w_stride, int64_t rows, const void *a, size_t a_stride, int64_t tokens,
               float *out, size_t out_stride);
float dot_q8_0(int64_t n, const void *w, const void *a);
float dot_q4_0(int64_t n, const void *w, const void *a);
float dot_q4_K(int64_t n, const void *w, const void *a);
float dot_q5_K(int64_t n, const void *w, const void *a);
float dot_q6_K(int64_t n, const void *w, const void *a);
float dot_q4_1(int64_t n, const void *w, const void *a);
float dot_q5_0(int64_t n, const void *w, const void *a);
float dot_q5_1(int64_t n, const void *w, const void *a);
float dot_q2_K(int64_t n, const void *w, const void *a);
float dot_q3_K(int64_t n, const void *w, const void *a);
float dot_iq4_nl(int64_t n, const void *w, const void *a);
float dot_iq4_xs(int64_t n, const void *w, const void *a);
float dot_nf4(int64_t n, const void *w, const void *a);
void tile_nf4(int64_t n, const void *w, size_t w_stride, int64_t rows, const void *a, size_t a_stride, int64_t tokens,
              float *out, size_t out_stride);
void quantize_q8_0(const float *x, void *dst, int64_t n);
void quantize_q8_K(const float *x, void *dst, int64_t n);
void axpy(int64_t n, float a, const float *x, float *y);
void gelu(float *x, int64_t n);
void silu_mul(float *gate, const float *up, int64_t n);

}  // namespace llcuda::avx2
