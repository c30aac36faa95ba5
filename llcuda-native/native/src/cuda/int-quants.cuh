// The quantized weight types as small integers: 16 consecutive elements of one row (offset k0, a
// multiple of 16) as 16 int8 values packed four to a word, with w = a * q + b for all 16. The
// integer side of dequant.cuh, for the dp4a products on 8-bit activations (mat-vec.cu).
#pragma once

#include "dequant.cuh"
#include "quants.h"

namespace llcuda::cuda {

// Four little-endian words from an address that is only 2-byte aligned (Q8_0, Q4_0, Q6_K blocks).
__device__ __forceinline__ void load_words_unaligned2(const uint8_t *p, uint32_t w[4]) {
    words_of(reinterpret_cast<const uint16_t *>(p), w);
}

__device__ __forceinline__ void load_words_aligned(const uint8_t *p, uint32_t w[4]) {
    const uint4 v = *reinterpret_cast<const uint4 *>(p);
    w[0] = v.x; w[1] = v.y; w[2] = v.z; w[3] = v.w;
}

// a = d * scale and b = -dmin * min of sub-block j of a Q4_K or Q5_K block (the same head) in memory.
__device__ __forceinline__ void kquant_block_scales(const uint8_t *blk, int j, float &a, float &b) {
    int sc, m;
    k4_scale_min(j, blk + 4, sc, m);
    a = half_bits_to_float(load_u16(blk)) * sc;
    b = -half_bits_to_float(load_u16(blk + 2)) * m;
}

template <int TYPE>
struct IntQuant;

template <>
struct IntQuant<LLCUDA_TYPE_Q8_0> {
    __device__ static void chunk16(const uint8_t *row, int k0, uint32_t q[4], float &a, float &b) {
        const uint8_t *blk = row + static_cast<int64_t>(k0 / QK8_0) * sizeof(BlockQ8_0);
        a = half_bits_to_float(load_u16(blk));
        b = 0.0f;
        load_words_unaligned2(blk + 2 + (k0 % QK8_0), q);
    }
};

template <>
struct IntQuant<LLCUDA_TYPE_Q4_0> {
    __device__ static void chunk16(const uint8_t *row, int k0, uint32_t q[4], float &a, float &b) {
        const uint8_t *blk = row + static_cast<int64_t>(k0 / QK4_0) * sizeof(BlockQ4_0);
        a = half_bits_to_float(load_u16(blk));
        b = -8.0f * a;
        load_words_unaligned2(blk + 2, q);
        const int shift = (k0 % QK4_0) ? 4 : 0;  // elements 16..31 are the high nibbles
#pragma unroll
        for (int i = 0; i < 4; ++i) q[i] = (q[i] >> shift) & 0x0f0f0f0fu;
    }
};

template <>
struct IntQuant<LLCUDA_TYPE_Q4_K> {
    __device__ static void chunk16(const uint8_t *row, int k0, uint32_t q[4], float &a, float &b) {
        const uint8_t *blk = row + static_cast<int64_t>(k0 / QK_K) * sizeof(BlockQ4_K);
        const int e = k0 % QK_K, j = e / 32, l0 = e % 32;
        kquant_block_scales(blk, j, a, b);
        load_words_aligned(blk + 16 + 32 * (j / 2) + l0, q);
        const int shift = (j & 1) ? 4 : 0;
#pragma unroll
        for (int i = 0; i < 4; ++i) q[i] = (q[i] >> shift) & 0x0f0f0f0fu;
    }
};

template <>
struct IntQuant<LLCUDA_TYPE_Q5_K> {
    __device__ static void chunk16(const uint8_t *row, int k0, uint32_t q[4], float &a, float &b) {
        const uint8_t *blk = row + static_cast<int64_t>(k0 / QK_K) * sizeof(BlockQ5_K);
        const int e = k0 % QK_K, j = e / 32, l0 = e % 32;
        kquant_block_scales(blk, j, a, b);
        uint32_t h[4];
        load_words_aligned(blk + 48 + 32 * (j / 2) + l0, q);
        load_words_aligned(blk + 16 + l0, h);
        const int shift = (j & 1) ? 4 : 0;
#pragma unroll
        for (int i = 0; i < 4; ++i) q[i] = ((q[i] >> shift) & 0x0f0f0f0fu) | (((h[i] >> j) & 0x01010101u) << 4);
    }
};

template <>
struct IntQuant<LLCUDA_TYPE_Q6_K> {
    __device__ static void chunk16(const uint8_t *row, int k0, uint32_t q[4], float &a, float &b) {
        const uint8_t *blk = row + static_cast<int64_t>(k0 / QK_K) * sizeof(BlockQ6_K);
        const int e = k0 % QK_K, half = e / 128, quarter = (e % 128) / 32, l0 = e % 32;
        const int sc = static_cast<int8_t>(blk[192 + 8 * half + l0 / 16 + 2 * quarter]);
        a = half_bits_to_float(load_u16(blk + 208)) * sc;
        b = -32.0f * a;  // the 6-bit values are stored with +32
        uint32_t h[4];
        load_words_unaligned2(blk + 64 * half + 32 * (quarter & 1) + l0, q);
        load_words_unaligned2(blk + 128 + 32 * half + l0, h);
        const int lshift = (quarter >= 2) ? 4 : 0, hshift = 2 * quarter;
#pragma unroll
        for (int i = 0; i < 4; ++i) q[i] = ((q[i] >> lshift) & 0x0f0f0f0fu) | (((h[i] >> hshift) & 0x03030303u) << 4);
    }
};

}  // namespace llcuda::cuda
