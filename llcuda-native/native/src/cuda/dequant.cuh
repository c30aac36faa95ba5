// Dequantization of 16 consecutive elements of one weight row straight from its GGUF blocks.
// The one building block of the mat-vec, tensor-core and embedding kernels: every supported type
// yields 16 floats for an element offset k0 (a multiple of 16), so those kernels are written once
// and instantiated per type. Loads are as wide as each block layout's alignment allows, and kept
// apart from the arithmetic (load/decode) for kernels that overlap the two. decode_h2 gives the
// same 16 values as FP16 pairs for the tensor-core tiles (every type but F32, which never goes
// there), in FP16x2 arithmetic: exact but for rounding the block's scale (and the K-quants' min
// offset) to FP16 before the one rounding of each value, which adds ~3e-4 relative error, more
// for scales below FP16's normal range (6.1e-5). Two FP16x2 operations per pair of weights replace
// a conversion and a multiply-add per weight, which bound those tiles' issue rate.
#pragma once

#include "common.cuh"
#include "ggml_blocks.h"
#include "k_quant_scales.h"

namespace llcuda::cuda {

__device__ __forceinline__ float half_bits_to_float(uint16_t h) {
    return __half2float(__ushort_as_half(h));
}

__device__ __forceinline__ uint16_t load_u16(const uint8_t *p) {
    return *reinterpret_cast<const uint16_t *>(p);
}

// Byte `i` (0..11) of the 12 bytes in words y, z, w (a K-quant head's scale bytes), for a run-time i
// without a local array.
__device__ __forceinline__ int byte_of(uint32_t y, uint32_t z, uint32_t w, int i) {
    const uint32_t word = i < 4 ? y : (i < 8 ? z : w);
    return static_cast<int>((word >> (8 * (i % 4))) & 0xff);
}

__device__ __forceinline__ int byte_at(const uint4 &v, int i) {
    const uint32_t w[4] = {v.x, v.y, v.z, v.w};
    return static_cast<int>((w[i / 4] >> (8 * (i % 4))) & 0xff);  // i is a compile-time constant at every use
}

// Bytes 2p and 2p+1 of `word` as the FP16 pair (1024 + byte): an exponent byte 0x64 beside each
// value byte makes the half 0x64XX = 2^10 + XX exactly (one byte permute).
__device__ __forceinline__ __half2 pair_plus_1024(uint32_t word, int p) {
    const uint32_t bits = __byte_perm(word, 0x64646464u, p == 0 ? 0x4140u : 0x4342u);
    return *reinterpret_cast<const __half2 *>(&bits);
}

// The 16 byte values of words[0..3] (element i in byte i % 4 of word i / 4) as FP16 pairs of
// (value - bias) * scale + offset: the subtraction is exact, the multiply-add rounds once.
__device__ __forceinline__ void biased_bytes_to_h2(const uint32_t (&words)[4], float bias, float scale, float offset,
                                                   __half2 out[8]) {
    const __half2 b = __float2half2_rn(1024.0f + bias), s = __float2half2_rn(scale), o = __float2half2_rn(offset);
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        out[2 * i] = __hfma2(__hsub2(pair_plus_1024(words[i], 0), b), s, o);
        out[2 * i + 1] = __hfma2(__hsub2(pair_plus_1024(words[i], 1), b), s, o);
    }
}

__device__ __forceinline__ void floats_to_h2(const float v[16], __half2 out[8]) {
#pragma unroll
    for (int e = 0; e < 8; ++e) out[e] = __floats2half2_rn(v[2 * e], v[2 * e + 1]);
}

// Eight consecutive 16-bit values (registers or 2-byte aligned memory) as four little-endian words.
__device__ __forceinline__ void words_of(const uint16_t *h, uint32_t w[4]) {
#pragma unroll
    for (int i = 0; i < 4; ++i) w[i] = h[2 * i] | (static_cast<uint32_t>(h[2 * i + 1]) << 16);
}

// Every type in two halves: load() only reads the bytes a 16-element chunk needs into registers
// (so a kernel can issue the loads of its next tile and use the waiting time), decode() turns them
// into 16 floats. chunk16 is both at once.
template <int TYPE>
struct Dequant;

template <>
struct Dequant<LLCUDA_TYPE_F32> {
    struct Raw {
        float4 v[4];
    };
    __device__ static Raw load(const uint8_t *row, int k0) {
        const float4 *p = reinterpret_cast<const float4 *>(row + 4 * static_cast<int64_t>(k0));
        return {{p[0], p[1], p[2], p[3]}};
    }
    __device__ static void decode(const Raw &r, int, float out[16]) {
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            out[4 * i] = r.v[i].x;
            out[4 * i + 1] = r.v[i].y;
            out[4 * i + 2] = r.v[i].z;
            out[4 * i + 3] = r.v[i].w;
        }
    }
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        decode(load(row, k0), k0, out);
    }
};

template <>
struct Dequant<LLCUDA_TYPE_F16> {
    struct Raw {
        uint4 v[2];
    };
    __device__ static Raw load(const uint8_t *row, int k0) {
        const uint4 *p = reinterpret_cast<const uint4 *>(row + 2 * static_cast<int64_t>(k0));
        return {{p[0], p[1]}};
    }
    __device__ static void decode(const Raw &r, int, float out[16]) {
#pragma unroll
        for (int i = 0; i < 2; ++i) {
            const uint32_t w[4] = {r.v[i].x, r.v[i].y, r.v[i].z, r.v[i].w};
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                float2 f = __half22float2(*reinterpret_cast<const __half2 *>(&w[j]));
                out[8 * i + 2 * j] = f.x;
                out[8 * i + 2 * j + 1] = f.y;
            }
        }
    }
    __device__ static void decode_h2(const Raw &r, int, __half2 out[8]) {  // already the tiles' type
#pragma unroll
        for (int i = 0; i < 2; ++i) {
            const uint32_t w[4] = {r.v[i].x, r.v[i].y, r.v[i].z, r.v[i].w};
#pragma unroll
            for (int j = 0; j < 4; ++j) out[4 * i + j] = *reinterpret_cast<const __half2 *>(&w[j]);
        }
    }
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        decode(load(row, k0), k0, out);
    }
};

// BF16 is widened to float in registers: sm_75 has no BF16 tensor cores or BF16 arithmetic.
template <>
struct Dequant<LLCUDA_TYPE_BF16> {
    struct Raw {
        uint4 v[2];
    };
    __device__ static Raw load(const uint8_t *row, int k0) {
        const uint4 *p = reinterpret_cast<const uint4 *>(row + 2 * static_cast<int64_t>(k0));
        return {{p[0], p[1]}};
    }
    __device__ static void decode(const Raw &r, int, float out[16]) {
#pragma unroll
        for (int i = 0; i < 2; ++i) {
            const uint32_t w[4] = {r.v[i].x, r.v[i].y, r.v[i].z, r.v[i].w};
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                out[8 * i + 2 * j] = __uint_as_float(w[j] << 16);
                out[8 * i + 2 * j + 1] = __uint_as_float(w[j] & 0xffff0000u);
            }
        }
    }
    __device__ static void decode_h2(const Raw &r, int k0, __half2 out[8]) {
        float v[16];
        decode(r, k0, v);
        floats_to_h2(v, out);
    }
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        decode(load(row, k0), k0, out);
    }
};

// Q8_0 and Q4_0 blocks (34 and 18 bytes) are only 2-byte aligned: 16-bit loads.
template <>
struct Dequant<LLCUDA_TYPE_Q8_0> {
    struct Raw {
        uint16_t d;
        uint16_t q[8];
    };
    __device__ static Raw load(const uint8_t *row, int k0) {
        const uint8_t *b = row + static_cast<int64_t>(k0 / QK8_0) * sizeof(BlockQ8_0);
        const uint16_t *q = reinterpret_cast<const uint16_t *>(b + 2 + (k0 % QK8_0));
        Raw r;
        r.d = load_u16(b);
#pragma unroll
        for (int i = 0; i < 8; ++i) r.q[i] = q[i];
        return r;
    }
    __device__ static void decode(const Raw &r, int, float out[16]) {
        const float d = half_bits_to_float(r.d);
#pragma unroll
        for (int i = 0; i < 16; ++i)
            out[i] = d * static_cast<float>(static_cast<int8_t>(static_cast<uint8_t>(r.q[i / 2] >> (8 * (i % 2)))));
    }
    __device__ static void decode_h2(const Raw &r, int, __half2 out[8]) {
        uint32_t w[4];
        words_of(r.q, w);
#pragma unroll
        for (int i = 0; i < 4; ++i) w[i] ^= 0x80808080u;  // int8 -> value + 128
        biased_bytes_to_h2(w, 128.0f, half_bits_to_float(r.d), 0.0f, out);
    }
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        decode(load(row, k0), k0, out);
    }
};

template <>
struct Dequant<LLCUDA_TYPE_Q4_0> {
    struct Raw {
        uint16_t d;
        uint16_t q[8];
    };
    __device__ static Raw load(const uint8_t *row, int k0) {
        const uint8_t *b = row + static_cast<int64_t>(k0 / QK4_0) * sizeof(BlockQ4_0);
        const uint16_t *q = reinterpret_cast<const uint16_t *>(b + 2);
        Raw r;
        r.d = load_u16(b);
#pragma unroll
        for (int i = 0; i < 8; ++i) r.q[i] = q[i];
        return r;
    }
    __device__ static void decode(const Raw &r, int k0, float out[16]) {
        const float d = half_bits_to_float(r.d);
        const int shift = (k0 % QK4_0) ? 4 : 0;  // elements 16..31 are the high nibbles
#pragma unroll
        for (int i = 0; i < 16; ++i) {
            const int q = (r.q[i / 2] >> (8 * (i % 2))) & 0xff;
            out[i] = d * static_cast<float>(((q >> shift) & 0x0f) - 8);
        }
    }
    __device__ static void decode_h2(const Raw &r, int k0, __half2 out[8]) {
        const int shift = (k0 % QK4_0) ? 4 : 0;
        uint32_t w[4];
        words_of(r.q, w);
#pragma unroll
        for (int i = 0; i < 4; ++i) w[i] = (w[i] >> shift) & 0x0f0f0f0fu;
        biased_bytes_to_h2(w, 8.0f, half_bits_to_float(r.d), 0.0f, out);
    }
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        decode(load(row, k0), k0, out);
    }
};

// The sub-block j of a Q4_K/Q5_K chunk at k0, its d * scale and dmin * min from the block head,
// and which nibble of its quant bytes it takes.
struct KQuantChunk {
    int j, shift;
    float ds, dm;
};
__device__ __forceinline__ KQuantChunk kquant_chunk(const uint4 &head, int k0) {
    const int j = (k0 % QK_K) / 32;
    int sc, m;
    kquant_scale_min([y = head.y, z = head.z, w = head.w](int i) { return byte_of(y, z, w, i); }, j, sc, m);
    return {j, (j & 1) ? 4 : 0, half_bits_to_float(static_cast<uint16_t>(head.x & 0xffff)) * sc,
            half_bits_to_float(static_cast<uint16_t>(head.x >> 16)) * m};
}

// Q4_K and Q5_K blocks (144 and 176 bytes) are 16-byte aligned: the 16-byte head (d, dmin, 12
// scale bytes) and the chunk's quant bytes in 16-byte loads.
template <>
struct Dequant<LLCUDA_TYPE_Q4_K> {
    struct Raw {
        uint4 head, qs;
    };
    __device__ static Raw load(const uint8_t *row, int k0) {
        const uint8_t *b = row + static_cast<int64_t>(k0 / QK_K) * sizeof(BlockQ4_K);
        const int e = k0 % QK_K, j = e / 32, l0 = e % 32;
        return {*reinterpret_cast<const uint4 *>(b), *reinterpret_cast<const uint4 *>(b + 16 + 32 * (j / 2) + l0)};
    }
    __device__ static void decode(const Raw &r, int k0, float out[16]) {
        const KQuantChunk c = kquant_chunk(r.head, k0);
#pragma unroll
        for (int i = 0; i < 16; ++i) out[i] = c.ds * static_cast<float>((byte_at(r.qs, i) >> c.shift) & 0x0f) - c.dm;
    }
    __device__ static void decode_h2(const Raw &r, int k0, __half2 out[8]) {
        const KQuantChunk c = kquant_chunk(r.head, k0);
        const uint32_t w[4] = {(r.qs.x >> c.shift) & 0x0f0f0f0fu, (r.qs.y >> c.shift) & 0x0f0f0f0fu,
                               (r.qs.z >> c.shift) & 0x0f0f0f0fu, (r.qs.w >> c.shift) & 0x0f0f0f0fu};
        biased_bytes_to_h2(w, 0.0f, c.ds, -c.dm, out);
    }
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        decode(load(row, k0), k0, out);
    }
};

template <>
struct Dequant<LLCUDA_TYPE_Q5_K> {
    struct Raw {
        uint4 head, qs, qh;
    };
    __device__ static Raw load(const uint8_t *row, int k0) {
        const uint8_t *b = row + static_cast<int64_t>(k0 / QK_K) * sizeof(BlockQ5_K);
        const int e = k0 % QK_K, j = e / 32, l0 = e % 32;
        return {*reinterpret_cast<const uint4 *>(b), *reinterpret_cast<const uint4 *>(b + 48 + 32 * (j / 2) + l0),
                *reinterpret_cast<const uint4 *>(b + 16 + l0)};
    }
    __device__ static void decode(const Raw &r, int k0, float out[16]) {
        const KQuantChunk c = kquant_chunk(r.head, k0);
#pragma unroll
        for (int i = 0; i < 16; ++i) {
            const int v = ((byte_at(r.qs, i) >> c.shift) & 0x0f) | (((byte_at(r.qh, i) >> c.j) & 1) << 4);
            out[i] = c.ds * static_cast<float>(v) - c.dm;
        }
    }
    __device__ static void decode_h2(const Raw &r, int k0, __half2 out[8]) {
        const KQuantChunk c = kquant_chunk(r.head, k0);
        const uint32_t qs[4] = {r.qs.x, r.qs.y, r.qs.z, r.qs.w}, qh[4] = {r.qh.x, r.qh.y, r.qh.z, r.qh.w};
        uint32_t w[4];
#pragma unroll
        for (int i = 0; i < 4; ++i) w[i] = ((qs[i] >> c.shift) & 0x0f0f0f0fu) | (((qh[i] >> c.j) & 0x01010101u) << 4);
        biased_bytes_to_h2(w, 0.0f, c.ds, -c.dm, out);
    }
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        decode(load(row, k0), k0, out);
    }
};

// Q6_K blocks (210 bytes) are 2-byte aligned: 16-bit loads; the int8 scale comes with its
// 16-bit neighbour.
template <>
struct Dequant<LLCUDA_TYPE_Q6_K> {
    struct Raw {
        uint16_t ql[8], qh[8];
        uint16_t scale_pair, d;
    };
    __device__ static Raw load(const uint8_t *row, int k0) {
        const uint8_t *b = row + static_cast<int64_t>(k0 / QK_K) * sizeof(BlockQ6_K);
        const int e = k0 % QK_K, half = e / 128, quarter = (e % 128) / 32, l0 = e % 32;
        const uint16_t *ql = reinterpret_cast<const uint16_t *>(b + 64 * half + 32 * (quarter & 1) + l0);
        const uint16_t *qh = reinterpret_cast<const uint16_t *>(b + 128 + 32 * half + l0);
        const int sc_at = 192 + 8 * half + l0 / 16 + 2 * quarter;
        Raw r;
#pragma unroll
        for (int i = 0; i < 8; ++i) {
            r.ql[i] = ql[i];
            r.qh[i] = qh[i];
        }
        r.scale_pair = load_u16(b + (sc_at & ~1));
        r.d = load_u16(b + 208);
        return r;
    }
    // The chunk's d * scale and where its 4 + 2 bits sit in the ql and qh bytes.
    struct Chunk {
        float ds;
        int lshift, hshift;
    };
    __device__ static Chunk chunk(const Raw &r, int k0) {
        const int e = k0 % QK_K, half = e / 128, quarter = (e % 128) / 32, l0 = e % 32;
        const int sc_at = 192 + 8 * half + l0 / 16 + 2 * quarter;
        const int sc = static_cast<int8_t>(static_cast<uint8_t>(r.scale_pair >> (8 * (sc_at & 1))));
        return {half_bits_to_float(r.d) * sc, (quarter >= 2) ? 4 : 0, 2 * quarter};
    }
    __device__ static void decode(const Raw &r, int k0, float out[16]) {
        const Chunk c = chunk(r, k0);
#pragma unroll
        for (int i = 0; i < 16; ++i) {
            const int ql = (r.ql[i / 2] >> (8 * (i % 2))) & 0xff, qh = (r.qh[i / 2] >> (8 * (i % 2))) & 0xff;
            const int v = (((ql >> c.lshift) & 0x0f) | (((qh >> c.hshift) & 3) << 4)) - 32;
            out[i] = c.ds * static_cast<float>(v);
        }
    }
    __device__ static void decode_h2(const Raw &r, int k0, __half2 out[8]) {
        const Chunk c = chunk(r, k0);
        uint32_t ql[4], qh[4], w[4];
        words_of(r.ql, ql);
        words_of(r.qh, qh);
#pragma unroll
        for (int i = 0; i < 4; ++i)
            w[i] = ((ql[i] >> c.lshift) & 0x0f0f0f0fu) | (((qh[i] >> c.hshift) & 0x03030303u) << 4);
        biased_bytes_to_h2(w, 32.0f, c.ds, 0.0f, out);
    }
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        decode(load(row, k0), k0, out);
    }
};

}  // namespace llcuda::cuda
