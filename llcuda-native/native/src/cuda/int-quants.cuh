// The quantized weight types as small integers: 16 consecutive elements of one row (offset k0, a
// multiple of 16) as 16 int8 values packed four to a word, with w = a * q + b for all 16. The
// integer side of dequant.cuh, for the dp4a products on 8-bit activations (mat-vec.cu). The types
// added later (Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, IQ4_NL, IQ4_XS) take their Dequant from this form
// (DequantFromInt below), so this header is the one that knows every type and its dispatch (NF4,
// whose code book is not integers, has its Dequant here too).
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
    w[0] = v.x;
    w[1] = v.y;
    w[2] = v.z;
    w[3] = v.w;
}

// From an 8-byte aligned address: IQ4_XS blocks are 136 bytes, so their nibbles are 8-byte aligned
// (weights are 256-byte aligned tensors) and two 8-byte loads replace eight 2-byte ones.
__device__ __forceinline__ void load_words_aligned8(const uint8_t *p, uint32_t w[4]) {
    const uint2 lo = *reinterpret_cast<const uint2 *>(p), hi = *reinterpret_cast<const uint2 *>(p + 8);
    w[0] = lo.x;
    w[1] = lo.y;
    w[2] = hi.x;
    w[3] = hi.y;
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

// Low or high nibbles (shift 0 or 4) of 16 bytes at a 2-byte aligned address, as bytes.
__device__ __forceinline__ void load_nibbles(const uint8_t *p, int shift, uint32_t q[4]) {
    load_words_unaligned2(p, q);
#pragma unroll
    for (int i = 0; i < 4; ++i) q[i] = (q[i] >> shift) & 0x0f0f0f0fu;
}

// Adds 16 to the bytes of q whose bit in the Q5 fifth-bit word (bits off..off+15 of the 32-bit
// little-endian qh at a 2-byte aligned address) is set.
__device__ __forceinline__ void add_fifth_bits(const uint8_t *qh, int off, uint32_t q[4]) {
    const uint32_t bits = (load_u16(qh) | (static_cast<uint32_t>(load_u16(qh + 2)) << 16)) >> off;
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        // bit k of the nibble moves to bit 8k (multiplying by 1 + 2^7 + 2^14 + 2^21)
        q[i] |= ((((bits >> (4 * i)) & 0xfu) * 0x00204081u) & 0x01010101u) << 4;
    }
}

// Entry q of a 16-byte table (entries 4i..4i+3 in the bytes of word ti) for each of the four
// nibble bytes q (0..15) of `nibbles`: two byte permutes pick from entries 0..7 and 8..15, bit 3 of
// each nibble chooses between them.
__device__ __forceinline__ uint32_t lookup16(uint32_t t0, uint32_t t1, uint32_t t2, uint32_t t3, uint32_t nibbles) {
    const uint32_t sel =
        (nibbles & 0x7u) | ((nibbles >> 4) & 0x70u) | ((nibbles >> 8) & 0x700u) | ((nibbles >> 12) & 0x7000u);
    const uint32_t low = __byte_perm(t0, t1, sel), high = __byte_perm(t2, t3, sel);
    const uint32_t pick_high = ((nibbles >> 3) & 0x01010101u) * 0xffu;
    return (low & ~pick_high) | (high & pick_high);
}

// The four IQ4 code book entries of the four nibble bytes of `nibbles`, as int8 bytes.
constexpr uint32_t iq4_book_word(int i) {
    return static_cast<uint8_t>(kIq4nlValues[4 * i]) |
           (static_cast<uint32_t>(static_cast<uint8_t>(kIq4nlValues[4 * i + 1])) << 8) |
           (static_cast<uint32_t>(static_cast<uint8_t>(kIq4nlValues[4 * i + 2])) << 16) |
           (static_cast<uint32_t>(static_cast<uint8_t>(kIq4nlValues[4 * i + 3])) << 24);
}
constexpr uint32_t kIq4Book0 = iq4_book_word(0), kIq4Book1 = iq4_book_word(1), kIq4Book2 = iq4_book_word(2),
                   kIq4Book3 = iq4_book_word(3);
__device__ __forceinline__ uint32_t iq4_lookup(uint32_t nibbles) {
    return lookup16(kIq4Book0, kIq4Book1, kIq4Book2, kIq4Book3, nibbles);
}

template <>
struct IntQuant<LLCUDA_TYPE_Q4_1> {
    static constexpr bool kSigned = false;
    __device__ static void chunk16(const uint8_t *row, int k0, uint32_t q[4], float &a, float &b) {
        const uint8_t *blk = row + static_cast<int64_t>(k0 / 32) * sizeof(BlockQ4_1);
        a = half_bits_to_float(load_u16(blk));
        b = half_bits_to_float(load_u16(blk + 2));
        load_nibbles(blk + 4, (k0 % 32) ? 4 : 0, q);
    }
};

template <>
struct IntQuant<LLCUDA_TYPE_Q5_0> {
    static constexpr bool kSigned = false;
    __device__ static void chunk16(const uint8_t *row, int k0, uint32_t q[4], float &a, float &b) {
        const uint8_t *blk = row + static_cast<int64_t>(k0 / 32) * sizeof(BlockQ5_0);
        a = half_bits_to_float(load_u16(blk));
        b = -16.0f * a;
        load_nibbles(blk + 6, (k0 % 32) ? 4 : 0, q);
        add_fifth_bits(blk + 2, k0 % 32, q);
    }
};

template <>
struct IntQuant<LLCUDA_TYPE_Q5_1> {
    static constexpr bool kSigned = false;
    __device__ static void chunk16(const uint8_t *row, int k0, uint32_t q[4], float &a, float &b) {
        const uint8_t *blk = row + static_cast<int64_t>(k0 / 32) * sizeof(BlockQ5_1);
        a = half_bits_to_float(load_u16(blk));
        b = half_bits_to_float(load_u16(blk + 2));
        load_nibbles(blk + 8, (k0 % 32) ? 4 : 0, q);
        add_fifth_bits(blk + 4, k0 % 32, q);
    }
};

// Q2_K/Q3_K chunks: element 128h + 32g + l0 + i, two low bits at bit 2g of qs[32h + l0 + i],
// sub-block 8h + 2g + l0/16.
template <>
struct IntQuant<LLCUDA_TYPE_Q2_K> {
    static constexpr bool kSigned = false;
    __device__ static void chunk16(const uint8_t *row, int k0, uint32_t q[4], float &a, float &b) {
        const uint8_t *blk = row + static_cast<int64_t>(k0 / QK_K) * sizeof(BlockQ2_K);
        const int e = k0 % QK_K, h = e / 128, g = (e % 128) / 32, l0 = e % 32;
        const int sc = blk[8 * h + 2 * g + l0 / 16];
        a = half_bits_to_float(load_u16(blk + 80)) * (sc & 0xf);
        b = -half_bits_to_float(load_u16(blk + 82)) * (sc >> 4);
        load_words_unaligned2(blk + 16 + 32 * h + l0, q);
#pragma unroll
        for (int i = 0; i < 4; ++i) q[i] = (q[i] >> (2 * g)) & 0x03030303u;
    }
};

template <>
struct IntQuant<LLCUDA_TYPE_Q3_K> {
    static constexpr bool kSigned = false;
    __device__ static void chunk16(const uint8_t *row, int k0, uint32_t q[4], float &a, float &b) {
        const uint8_t *blk = row + static_cast<int64_t>(k0 / QK_K) * sizeof(BlockQ3_K);
        const int e = k0 % QK_K, h = e / 128, g = (e % 128) / 32, l0 = e % 32;
        a = half_bits_to_float(load_u16(blk + 108)) * q3k_scale(blk + 96, 8 * h + 2 * g + l0 / 16);
        b = -4.0f * a;  // q + 4 is stored: 2 low bits, and the hmask bit for the 4
        uint32_t hm[4];
        load_words_unaligned2(blk + 32 + 32 * h + l0, q);
        load_words_unaligned2(blk + l0, hm);
#pragma unroll
        for (int i = 0; i < 4; ++i)
            q[i] = ((q[i] >> (2 * g)) & 0x03030303u) | (((hm[i] >> (4 * h + g)) & 0x01010101u) << 2);
    }
};

template <>
struct IntQuant<LLCUDA_TYPE_IQ4_NL> {
    static constexpr bool kSigned = true;
    __device__ static void chunk16(const uint8_t *row, int k0, uint32_t q[4], float &a, float &b) {
        const uint8_t *blk = row + static_cast<int64_t>(k0 / QK4_NL) * sizeof(BlockIQ4_NL);
        a = half_bits_to_float(load_u16(blk));
        b = 0.0f;
        load_nibbles(blk + 2, (k0 % 32) ? 4 : 0, q);
#pragma unroll
        for (int i = 0; i < 4; ++i) q[i] = iq4_lookup(q[i]);
    }
};

template <>
struct IntQuant<LLCUDA_TYPE_IQ4_XS> {
    static constexpr bool kSigned = true;
    __device__ static void chunk16(const uint8_t *row, int k0, uint32_t q[4], float &a, float &b) {
        const uint8_t *blk = row + static_cast<int64_t>(k0 / QK_K) * sizeof(BlockIQ4_XS);
        const int e = k0 % QK_K, sub = e / 32;
        const int ls = ((blk[4 + sub / 2] >> (4 * (sub % 2))) & 0xf) | (((load_u16(blk + 2) >> (2 * sub)) & 3) << 4);
        a = half_bits_to_float(load_u16(blk)) * (ls - 32);
        b = 0.0f;
        load_words_aligned8(blk + 8 + 16 * sub, q);
        const int shift = (e % 32) ? 4 : 0;
#pragma unroll
        for (int i = 0; i < 4; ++i) q[i] = iq4_lookup((q[i] >> shift) & 0x0f0f0f0fu);
    }
};

// Dequant for the types above: load() already holds the chunk as integers and its a and b (the
// bit extraction happens with the load), decode() is one multiply-add per element. kSigned types
// hold int8 values (the IQ4 code book), the others unsigned bytes.
template <int TYPE>
struct DequantFromInt {
    struct Raw {
        uint32_t q[4];
        float a, b;
    };
    __device__ static Raw load(const uint8_t *row, int k0) {
        Raw r;
        IntQuant<TYPE>::chunk16(row, k0, r.q, r.a, r.b);
        return r;
    }
    __device__ static void decode(const Raw &r, int, float out[16]) {
#pragma unroll
        for (int i = 0; i < 16; ++i) {
            const uint32_t byte = (r.q[i / 4] >> (8 * (i % 4))) & 0xffu;
            const int v = IntQuant<TYPE>::kSigned ? static_cast<int8_t>(byte) : static_cast<int>(byte);
            out[i] = fmaf(r.a, static_cast<float>(v), r.b);
        }
    }
    __device__ static void decode_h2(const Raw &r, int, __half2 out[8]) {
        uint32_t w[4];
#pragma unroll
        for (int i = 0; i < 4; ++i)
            w[i] = IntQuant<TYPE>::kSigned ? r.q[i] ^ 0x80808080u : r.q[i];  // int8 -> value + 128
        biased_bytes_to_h2(w, IntQuant<TYPE>::kSigned ? 128.0f : 0.0f, r.a, r.b, out);
    }
    __device__ static void chunk16(const uint8_t *row, int k0, float out[16]) {
        decode(load(row, k0), k0, out);
    }
};

template <>
struct Dequant<LLCUDA_TYPE_Q4_1> : DequantFromInt<LLCUDA_TYPE_Q4_1> {};
template <>
struct Dequant<LLCUDA_TYPE_Q5_0> : DequantFromInt<LLCUDA_TYPE_Q5_0> {};
template <>
struct Dequant<LLCUDA_TYPE_Q5_1> : DequantFromInt<LLCUDA_TYPE_Q5_1> {};
template <>
struct Dequant<LLCUDA_TYPE_Q2_K> : DequantFromInt<LLCUDA_TYPE_Q2_K> {};
template <>
struct Dequant<LLCUDA_TYPE_Q3_K> : DequantFromInt<LLCUDA_TYPE_Q3_K> {};
template <>
struct Dequant<LLCUDA_TYPE_IQ4_NL> : DequantFromInt<LLCUDA_TYPE_IQ4_NL> {};
template <>
struct Dequant<LLCUDA_TYPE_IQ4_XS> : DequantFromInt<LLCUDA_TYPE_IQ4_XS> {};

// NF4's code book is float32 values without an integer form, so NF4 has no IntQuant (no 8-bit
// activation product) and decodes to floats directly: byte b of the 16 entries' IEEE bits as a
// lookup16 table, four lookups and a byte transpose per four codes, then one multiply by the
// block's float32 d (the value bitsandbytes computes, bit for bit).
constexpr uint32_t nf4_book_byte_word(int byte, int i) {
    return ((kNf4Bits[4 * i] >> (8 * byte)) & 0xffu) | (((kNf4Bits[4 * i + 1] >> (8 * byte)) & 0xffu) << 8) |
           (((kNf4Bits[4 * i + 2] >> (8 * byte)) & 0xffu) << 16) |
           (((kNf4Bits[4 * i + 3] >> (8 * byte)) & 0xffu) << 24);
}
template <int BYTE>
struct Nf4BookBytes {  // compile-time scalars, which device code may read
    static constexpr uint32_t t0 = nf4_book_byte_word(BYTE, 0), t1 = nf4_book_byte_word(BYTE, 1),
                              t2 = nf4_book_byte_word(BYTE, 2), t3 = nf4_book_byte_word(BYTE, 3);
};
template <int BYTE>
__device__ __forceinline__ uint32_t nf4_book_bytes(uint32_t nibbles) {
    using T = Nf4BookBytes<BYTE>;
    return lookup16(T::t0, T::t1, T::t2, T::t3, nibbles);
}
// The code book entries of the four nibble bytes of `nibbles`, times d.
__device__ __forceinline__ void nf4_values4(uint32_t nibbles, float d, float out[4]) {
    const uint32_t b0 = nf4_book_bytes<0>(nibbles), b1 = nf4_book_bytes<1>(nibbles), b2 = nf4_book_bytes<2>(nibbles),
                   b3 = nf4_book_bytes<3>(nibbles);
    const uint32_t lo01 = __byte_perm(b0, b1, 0x5140u), lo23 = __byte_perm(b2, b3, 0x5140u);  // entries 0, 1
    const uint32_t hi01 = __byte_perm(b0, b1, 0x7362u), hi23 = __byte_perm(b2, b3, 0x7362u);  // entries 2, 3
    out[0] = __uint_as_float(__byte_perm(lo01, lo23, 0x5410u)) * d;
    out[1] = __uint_as_float(__byte_perm(lo01, lo23, 0x7632u)) * d;
    out[2] = __uint_as_float(__byte_perm(hi01, hi23, 0x5410u)) * d;
    out[3] = __uint_as_float(__byte_perm(hi01, hi23, 0x7632u)) * d;
}

// NF4 blocks (36 bytes) are 4-byte aligned: d and the chunk's 8 contiguous bytes in 32-bit loads.
template <>
struct Dequant<LLCUDA_TYPE_NF4> {
    struct Raw {
        uint32_t q[2];
        float d;
    };
    __device__ static Raw load(const uint8_t *row, int k0) {
        const uint8_t *blk = row + static_cast<int64_t>(k0 / QK_NF4) * sizeof(BlockNF4);
        const uint32_t *q = reinterpret_cast<const uint32_t *>(blk + 4 + 8 * ((k0 % QK_NF4) / 16));
        return {{q[0], q[1]}, *reinterpret_cast<const float *>(blk)};
    }
    __device__ static void decode(const Raw &r, int, float out[16]) {
#pragma unroll
        for (int i = 0; i < 2; ++i) {
            nf4_values4(r.q[i] & 0x0f0f0f0fu, r.d, out + 4 * i);             // elements 0..7: low nibbles
            nf4_values4((r.q[i] >> 4) & 0x0f0f0f0fu, r.d, out + 8 + 4 * i);  // elements 8..15: high nibbles
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

// Expands to a switch calling FN<TYPE>(args...) for the runtime weight type `type`; an
// unsupported type is an LLCUDA_ERR_UNSUPPORTED error naming it.
#define LLCUDA_DISPATCH_WEIGHT_TYPE(type, FN, ...)                                                          \
    switch (type) {                                                                                         \
        case LLCUDA_TYPE_F32:                                                                               \
            FN<LLCUDA_TYPE_F32>(__VA_ARGS__);                                                               \
            break;                                                                                          \
        case LLCUDA_TYPE_F16:                                                                               \
            FN<LLCUDA_TYPE_F16>(__VA_ARGS__);                                                               \
            break;                                                                                          \
        case LLCUDA_TYPE_BF16:                                                                              \
            FN<LLCUDA_TYPE_BF16>(__VA_ARGS__);                                                              \
            break;                                                                                          \
        case LLCUDA_TYPE_Q8_0:                                                                              \
            FN<LLCUDA_TYPE_Q8_0>(__VA_ARGS__);                                                              \
            break;                                                                                          \
        case LLCUDA_TYPE_Q4_0:                                                                              \
            FN<LLCUDA_TYPE_Q4_0>(__VA_ARGS__);                                                              \
            break;                                                                                          \
        case LLCUDA_TYPE_Q4_K:                                                                              \
            FN<LLCUDA_TYPE_Q4_K>(__VA_ARGS__);                                                              \
            break;                                                                                          \
        case LLCUDA_TYPE_Q5_K:                                                                              \
            FN<LLCUDA_TYPE_Q5_K>(__VA_ARGS__);                                                              \
            break;                                                                                          \
        case LLCUDA_TYPE_Q6_K:                                                                              \
            FN<LLCUDA_TYPE_Q6_K>(__VA_ARGS__);                                                              \
            break;                                                                                          \
        case LLCUDA_TYPE_Q4_1:                                                                              \
            FN<LLCUDA_TYPE_Q4_1>(__VA_ARGS__);                                                              \
            break;                                                                                          \
        case LLCUDA_TYPE_Q5_0:                                                                              \
            FN<LLCUDA_TYPE_Q5_0>(__VA_ARGS__);                                                              \
            break;                                                                                          \
        case LLCUDA_TYPE_Q5_1:                                                                              \
            FN<LLCUDA_TYPE_Q5_1>(__VA_ARGS__);                                                              \
            break;                                                                                          \
        case LLCUDA_TYPE_Q2_K:                                                                              \
            FN<LLCUDA_TYPE_Q2_K>(__VA_ARGS__);                                                              \
            break;                                                                                          \
        case LLCUDA_TYPE_Q3_K:                                                                              \
            FN<LLCUDA_TYPE_Q3_K>(__VA_ARGS__);                                                              \
            break;                                                                                          \
        case LLCUDA_TYPE_IQ4_NL:                                                                            \
            FN<LLCUDA_TYPE_IQ4_NL>(__VA_ARGS__);                                                            \
            break;                                                                                          \
        case LLCUDA_TYPE_IQ4_XS:                                                                            \
            FN<LLCUDA_TYPE_IQ4_XS>(__VA_ARGS__);                                                            \
            break;                                                                                          \
        case LLCUDA_TYPE_NF4:                                                                               \
            FN<LLCUDA_TYPE_NF4>(__VA_ARGS__);                                                               \
            break;                                                                                          \
        default:                                                                                            \
            ::llcuda::fail(LLCUDA_ERR_UNSUPPORTED,                                                          \
                           "CUDA backend: weight type " + ::llcuda::ggml_type_name(type) + " unsupported"); \
    }

}  // namespace llcuda::cuda
