// Dequantization of 16 consecutive elements of one weight row straight from its GGUF blocks.
// The one building block of the mat-vec, tensor-core and embedding kernels: every supported type
// yields 16 floats for an element offset k0 (a multiple of 16), so those kernels are written once
// and instantiated per type. Loads are as wide as each block layout's alignment allows.
#pragma once

#include "common.cuh"
#include "ggml_blocks.h"

namespace llcuda::cuda {

__device__ __forceinline__ float half_bits_to_float(uint16_t h) {
    return __half2float(__ushort_as_half(h));
}

__device__ __forceinline__ uint16_t load_u16(const uint8_t *p) {
    return *reinterpret_cast<const uint16_t *>(p);
}

// 16 bytes from an address that is only 2-byte aligned (Q8_0, Q4_0, Q6_K blocks).
__device__ __forceinline__ void load16_unaligned2(const uint8_t *p, uint8_t out[16]) {
    const uint16_t *s = reinterpret_cast<const uint16_t *>(p);
#pragma unroll
    for (int i = 0; i < 8; ++i) {
        uint16_t v = s[i];
        out[2 * i] = static_cast<uint8_t>(v & 0xff);
        out[2 * i + 1] = static_cast<uint8_t>(v >> 8);
    }
}

// 16 bytes from a 16-byte aligned address (Q4_K, Q5_K).
__device__ __forceinline__ void load16_aligned(const uint8_t *p, uint8_t out[16]) {
    uint4 v = *reinterpret_cast<const uint4 *>(p);
    const uint32_t w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int i = 0; i < 16; ++i) out[i] = static_cast<uint8_t>(w[i / 4] >> (8 * (i % 4)));
}

// 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K super-block.
__device__ __forceinline__ void kquant_scale_min(const uint8_t *s, int j, int &sc, int &m) {
    if (j < 4) {
        sc = s[j] & 63;
        m = s[j + 4] & 63;
    } else {
        sc = (s[j + 4] & 0x0f) | ((s[j - 4] >> 6) << 4);
        m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

template <int TYPE>
struct Dequant;

template <>
struct Dequant<LLCUDA_TYPE_F32> {
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        const float4 *p = reinterpret_cast<const float4 *>(row + 4 * static_cast<int64_t>(k0));
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            float4 v = p[i];
            out[4 * i] = v.x; out[4 * i + 1] = v.y; out[4 * i + 2] = v.z; out[4 * i + 3] = v.w;
        }
    }
};

template <>
struct Dequant<LLCUDA_TYPE_F16> {
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        const uint4 *p = reinterpret_cast<const uint4 *>(row + 2 * static_cast<int64_t>(k0));
#pragma unroll
        for (int i = 0; i < 2; ++i) {
            uint4 v = p[i];
            const uint32_t w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                float2 f = __half22float2(*reinterpret_cast<const __half2 *>(&w[j]));
                out[8 * i + 2 * j] = f.x;
                out[8 * i + 2 * j + 1] = f.y;
            }
        }
    }
};

// BF16 is widened to float in registers: sm_75 has no BF16 tensor cores or BF16 arithmetic.
template <>
struct Dequant<LLCUDA_TYPE_BF16> {
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        const uint4 *p = reinterpret_cast<const uint4 *>(row + 2 * static_cast<int64_t>(k0));
#pragma unroll
        for (int i = 0; i < 2; ++i) {
            uint4 v = p[i];
            const uint32_t w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                out[8 * i + 2 * j] = __uint_as_float(w[j] << 16);
                out[8 * i + 2 * j + 1] = __uint_as_float(w[j] & 0xffff0000u);
            }
        }
    }
};

template <>
struct Dequant<LLCUDA_TYPE_Q8_0> {
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        const uint8_t *b = row + static_cast<int64_t>(k0 / QK8_0) * sizeof(BlockQ8_0);
        const float d = half_bits_to_float(load_u16(b));
        uint8_t q[16];
        load16_unaligned2(b + 2 + (k0 % QK8_0), q);
#pragma unroll
        for (int i = 0; i < 16; ++i) out[i] = d * static_cast<float>(static_cast<int8_t>(q[i]));
    }
};

template <>
struct Dequant<LLCUDA_TYPE_Q4_0> {
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        const uint8_t *b = row + static_cast<int64_t>(k0 / QK4_0) * sizeof(BlockQ4_0);
        const float d = half_bits_to_float(load_u16(b));
        uint8_t q[16];
        load16_unaligned2(b + 2, q);
        const int shift = (k0 % QK4_0) ? 4 : 0;  // elements 16..31 are the high nibbles
#pragma unroll
        for (int i = 0; i < 16; ++i) out[i] = d * static_cast<float>(((q[i] >> shift) & 0x0f) - 8);
    }
};

template <>
struct Dequant<LLCUDA_TYPE_Q4_K> {
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        const uint8_t *b = row + static_cast<int64_t>(k0 / QK_K) * sizeof(BlockQ4_K);
        const int e = k0 % QK_K, j = e / 32, l0 = e % 32;
        const float d = half_bits_to_float(load_u16(b));
        const float dmin = half_bits_to_float(load_u16(b + 2));
        int sc, m;
        kquant_scale_min(b + 4, j, sc, m);
        uint8_t q[16];
        load16_aligned(b + 16 + 32 * (j / 2) + l0, q);
        const int shift = (j & 1) ? 4 : 0;
        const float ds = d * sc, dm = dmin * m;
#pragma unroll
        for (int i = 0; i < 16; ++i) out[i] = ds * static_cast<float>((q[i] >> shift) & 0x0f) - dm;
    }
};

template <>
struct Dequant<LLCUDA_TYPE_Q5_K> {
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        const uint8_t *b = row + static_cast<int64_t>(k0 / QK_K) * sizeof(BlockQ5_K);
        const int e = k0 % QK_K, j = e / 32, l0 = e % 32;
        const float d = half_bits_to_float(load_u16(b));
        const float dmin = half_bits_to_float(load_u16(b + 2));
        int sc, m;
        kquant_scale_min(b + 4, j, sc, m);
        uint8_t q[16], h[16];
        load16_aligned(b + 48 + 32 * (j / 2) + l0, q);
        load16_aligned(b + 16 + l0, h);
        const int shift = (j & 1) ? 4 : 0;
        const float ds = d * sc, dm = dmin * m;
#pragma unroll
        for (int i = 0; i < 16; ++i) {
            const int v = ((q[i] >> shift) & 0x0f) | (((h[i] >> j) & 1) << 4);
            out[i] = ds * static_cast<float>(v) - dm;
        }
    }
};

template <>
struct Dequant<LLCUDA_TYPE_Q6_K> {
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        const uint8_t *b = row + static_cast<int64_t>(k0 / QK_K) * sizeof(BlockQ6_K);
        const int e = k0 % QK_K, half = e / 128, quarter = (e % 128) / 32, l0 = e % 32;
        const float d = half_bits_to_float(load_u16(b + 208));
        const int sc = static_cast<int8_t>(b[192 + 8 * half + l0 / 16 + 2 * quarter]);
        uint8_t ql[16], qh[16];
        load16_unaligned2(b + 64 * half + 32 * (quarter & 1) + l0, ql);
        load16_unaligned2(b + 128 + 32 * half + l0, qh);
        const int lshift = (quarter >= 2) ? 4 : 0, hshift = 2 * quarter;
        const float ds = d * sc;
#pragma unroll
        for (int i = 0; i < 16; ++i) {
            const int v = (((ql[i] >> lshift) & 0x0f) | (((qh[i] >> hshift) & 3) << 4)) - 32;
            out[i] = ds * static_cast<float>(v);
        }
    }
};

// Expands to a switch calling FN<TYPE>(args...) for the runtime weight type `type`; an
// unsupported type is an LLCUDA_ERR_UNSUPPORTED error naming it.
#define LLCUDA_DISPATCH_WEIGHT_TYPE(type, FN, ...)                                                \
    switch (type) {                                                                               \
        case LLCUDA_TYPE_F32: FN<LLCUDA_TYPE_F32>(__VA_ARGS__); break;                            \
        case LLCUDA_TYPE_F16: FN<LLCUDA_TYPE_F16>(__VA_ARGS__); break;                            \
        case LLCUDA_TYPE_BF16: FN<LLCUDA_TYPE_BF16>(__VA_ARGS__); break;                          \
        case LLCUDA_TYPE_Q8_0: FN<LLCUDA_TYPE_Q8_0>(__VA_ARGS__); break;                          \
        case LLCUDA_TYPE_Q4_0: FN<LLCUDA_TYPE_Q4_0>(__VA_ARGS__); break;                          \
        case LLCUDA_TYPE_Q4_K: FN<LLCUDA_TYPE_Q4_K>(__VA_ARGS__); break;                          \
        case LLCUDA_TYPE_Q5_K: FN<LLCUDA_TYPE_Q5_K>(__VA_ARGS__); break;                          \
        case LLCUDA_TYPE_Q6_K: FN<LLCUDA_TYPE_Q6_K>(__VA_ARGS__); break;                          \
        default:                                                                                  \
            ::llcuda::fail(LLCUDA_ERR_UNSUPPORTED,                                                \
                           "CUDA backend: weight type " + std::to_string(type) + " unsupported"); \
    }

}  // namespace llcuda::cuda
