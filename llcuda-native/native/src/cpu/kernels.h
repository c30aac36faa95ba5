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

// Four dot products of one weight row with activation rows act, act + stride, ... (out[0..4));
// shares the weight decoding across a prompt's tokens. Optional (null: use DotFn per row).
using Dot4Fn = void (*)(int64_t n, const void *weights, const void *act, size_t stride, float *out);

struct WeightKernel {
    ActFormat act = ActFormat::F32;
    DotFn dot = nullptr;
    Dot4Fn dot4 = nullptr;
};

struct CpuKernels {
    SimdLevel level;
    WeightKernel f32, f16, bf16, q8_0, q4_0, q4_K, q5_K, q6_K;
    ActQuantizeFn quantize_q8_0;
    ActQuantizeFn quantize_q8_K;
    AxpyFn axpy;
    WeightKernel q4_1, q5_0, q5_1, q2_K, q3_K, iq4_nl, iq4_xs;
    WeightKernel nf4;
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
