// The CPU's numeric kernels as one table per SIMD level. Matrix products quantize the
// activations once per row into the format the weight type pairs with (Q8_0 for the 32-element
// block types, Q8_K for the 256-element ones, plain floats for F32/F16/BF16 and NF4, whose float
// code book has no integer form) and then take dot products directly on the
// blocks: integer sums inside a block, one float multiply-add per block.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cpu/cpu_features.h"

namespace llcuda {

enum class ActFormat { F32, Q8_0, Q8_K };

// Bytes of one activation row of `n` elements in `format`.
size_t act_row_bytes(ActFormat format, int64_t n);

// Dot product of one weight row and one activation row, `n` elements (whole blocks).
using DotFn = float (*)(int64_t n, const void *weights, const void *act);
// Activation row -> `format` (F32: a copy).
using ActQuantizeFn = void (*)(const float *x, void *dst, int64_t n);
// y += a * x, n floats (attention's weighted sum of V rows).
using AxpyFn = void (*)(int64_t n, float a, const float *x, float *y);
// x = gelu(x) in place, n floats: GELU's tanh form (as llama.cpp and gemma use it), computed as
// x * sigmoid(2u) = x / (1 + exp(-2u)), u = sqrt(2/pi) (x + 0.044715 x^3), which needs no
// 1 + tanh(u) (that cancels for negative x and loses the small values' relative accuracy).
using GeluFn = void (*)(float *x, int64_t n);
inline constexpr float kGeluSqrt2OverPi = 0.7978845608028654f, kGeluCubic = 0.044715f;
// gate = silu(gate) * up, n floats (the SwiGLU FFN): silu(x) = x * sigmoid(x), computed like GELU.
using SiluMulFn = void (*)(float *gate, const float *up, int64_t n);

// The dot products of `rows` weight rows (w_stride bytes apart) with `tokens` activation rows
// (act_stride bytes apart): out[t * out_stride + r]. Each equals DotFn for its pair bit for bit
// (a token's result must not depend on which tokens share the step); a tile only shares the
// weight decoding and the loads across a prompt's tokens. Optional (null: DotFn per pair).
using TileFn = void (*)(int64_t n, const void *weights, size_t w_stride, int64_t rows, const void *act,
                        size_t act_stride, int64_t tokens, float *out, size_t out_stride);

struct WeightKernel {
    ActFormat act = ActFormat::F32;
    DotFn dot = nullptr;
    TileFn tile = nullptr;
};

// A tile of products through k.tile, or k.dot per pair where the level has no tile.
void products(const WeightKernel &k, int64_t n, const void *weights, size_t w_stride, int64_t rows, const void *act,
              size_t act_stride, int64_t tokens, float *out, size_t out_stride);

// A TileFn from a kernel that takes one weight row against four activation rows (Four(n, w, act,
// act_stride, out[4]), the single dot's order) and Dot for the tokens after the last four.
// Instantiate it only with a kernel local to one SIMD source file (anonymous namespace), so the
// instance is that file's own: an instance shared by two files could be the linker's pick of the
// AVX-512 copy for the AVX2 table.
template <void (*Four)(int64_t, const void *, const void *, size_t, float *), DotFn Dot>
void tile_by_four(int64_t n, const void *weights, size_t w_stride, int64_t rows, const void *act, size_t act_stride,
                  int64_t tokens, float *out, size_t out_stride) {
    const auto *w = static_cast<const uint8_t *>(weights);
    const auto *a = static_cast<const uint8_t *>(act);
    int64_t t = 0;
    for (; t + 4 <= tokens; t += 4) {
        for (int64_t r = 0; r < rows; ++r) {
            float four[4];
            Four(n, w + r * w_stride, a + t * act_stride, act_stride, four);
            for (int k = 0; k < 4; ++k) out[(t + k) * out_stride + r] = four[k];
        }
    }
    for (; t < tokens; ++t)
        for (int64_t r = 0; r < rows; ++r) out[t * out_stride + r] = Dot(n, w + r * w_stride, a + t * act_stride);
}

struct CpuKernels {
    SimdLevel level;
    WeightKernel f32, f16, bf16, q8_0, q4_0, q4_K, q5_K, q6_K;
    ActQuantizeFn quantize_q8_0;
    ActQuantizeFn quantize_q8_K;
    AxpyFn axpy;
    WeightKernel q4_1, q5_0, q5_1, q2_K, q3_K, iq4_nl, iq4_xs;
    WeightKernel nf4;
    GeluFn gelu;
    SiluMulFn silu_mul;
    // Kernel for a validated weight type.
    const WeightKernel &for_type(int32_t type) const;
    void quantize(ActFormat format, const float *x, void *dst, int64_t n) const;
};

const CpuKernels &scalar_kernels();
const CpuKernels &avx2_kernels();    // only call when the CPU has AVX2+FMA+F16C
const CpuKernels &avx512_kernels();  // only call when the CPU has AVX-512 F/BW/VL/DQ/VNNI
// The table for `level` (the process-wide choice is cpu_simd_level()).
const CpuKernels &kernels_for(SimdLevel level);

}  // namespace llcuda
