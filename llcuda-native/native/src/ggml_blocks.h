// GGUF/ggml block layouts of the supported weight types. Shared by every backend (host and device
// code), so the structs use only plain integer fields; fp16 scales are stored as raw uint16_t.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "llcuda.h"

namespace llcuda {

constexpr int QK4_0 = 32;  // elements per Q4_0 block
constexpr int QK8_0 = 32;  // elements per Q8_0 block
constexpr int QK_K = 256;  // elements per K-quant super-block
constexpr int K_SCALE_SIZE = 12;

// x = (q - 8) * d; byte j holds element j (low nibble) and element j + 16 (high nibble).
struct BlockQ4_0 {
    uint16_t d;
    uint8_t qs[QK4_0 / 2];
};
static_assert(sizeof(BlockQ4_0) == 18, "Q4_0 block is 18 bytes");

// x = q * d
struct BlockQ8_0 {
    uint16_t d;
    int8_t qs[QK8_0];
};
static_assert(sizeof(BlockQ8_0) == 34, "Q8_0 block is 34 bytes");

// 8 sub-blocks of 32; 6-bit scales and mins packed in `scales`; x = d*sc*q - dmin*m.
struct BlockQ4_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[K_SCALE_SIZE];
    uint8_t qs[QK_K / 2];
};
static_assert(sizeof(BlockQ4_K) == 144, "Q4_K block is 144 bytes");

// As Q4_K with a fifth bit per element in qh.
struct BlockQ5_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[K_SCALE_SIZE];
    uint8_t qh[QK_K / 8];
    uint8_t qs[QK_K / 2];
};
static_assert(sizeof(BlockQ5_K) == 176, "Q5_K block is 176 bytes");

// 16 sub-blocks of 16 with int8 scales; 6-bit quants split in ql (4 bits) and qh (2 bits).
struct BlockQ6_K {
    uint8_t ql[QK_K / 2];
    uint8_t qh[QK_K / 4];
    int8_t scales[QK_K / 16];
    uint16_t d;
};
static_assert(sizeof(BlockQ6_K) == 210, "Q6_K block is 210 bytes");

// Activation format for K-quant dot products: float scale, int8 quants, sums of 16.
struct BlockQ8_K {
    float d;
    int8_t qs[QK_K];
    int16_t bsums[QK_K / 16];
};
static_assert(sizeof(BlockQ8_K) == 292, "Q8_K block is 292 bytes");

// x = q * d + m; nibbles as Q4_0.
struct BlockQ4_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qs[QK4_0 / 2];
};
static_assert(sizeof(BlockQ4_1) == 20, "Q4_1 block is 20 bytes");

// x = (q - 16) * d; nibbles as Q4_0, bit 4 of element j in bit j of the little-endian word qh.
struct BlockQ5_0 {
    uint16_t d;
    uint8_t qh[4];
    uint8_t qs[QK4_0 / 2];
};
static_assert(sizeof(BlockQ5_0) == 22, "Q5_0 block is 22 bytes");

// x = q * d + m; quants as Q5_0.
struct BlockQ5_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[QK4_0 / 2];
};
static_assert(sizeof(BlockQ5_1) == 24, "Q5_1 block is 24 bytes");

// 16 sub-blocks of 16; scales[i] holds a 4-bit scale (low) and min (high); x = d*sc*q - dmin*m,
// q 2 bits: element 128h + 32g + l is bits 2g of qs[32h + l].
struct BlockQ2_K {
    uint8_t scales[QK_K / 16];
    uint8_t qs[QK_K / 4];
    uint16_t d;
    uint16_t dmin;
};
static_assert(sizeof(BlockQ2_K) == 84, "Q2_K block is 84 bytes");

// 16 sub-blocks of 16 with signed 6-bit scales (q3k_scale); x = d*sc*(q - 4*(1 - hbit)), the two
// low bits as Q2_K, the high bit of element j in bit j/32 of hmask[j % 32].
struct BlockQ3_K {
    uint8_t hmask[QK_K / 8];
    uint8_t qs[QK_K / 4];
    uint8_t scales[12];
    uint16_t d;
};
static_assert(sizeof(BlockQ3_K) == 110, "Q3_K block is 110 bytes");

constexpr int QK4_NL = 32;
// The non-linear code book of IQ4_NL and IQ4_XS: x = d * kIq4nlValues[q].
constexpr int8_t kIq4nlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

// x = d * kIq4nlValues[q]; nibbles as Q4_0.
struct BlockIQ4_NL {
    uint16_t d;
    uint8_t qs[QK4_NL / 2];
};
static_assert(sizeof(BlockIQ4_NL) == 18, "IQ4_NL block is 18 bytes");

// 8 sub-blocks of 32 with 6-bit scales (low 4 bits in scales_l nibble j, high 2 in bits 2j of
// scales_h), x = d * (sc - 32) * kIq4nlValues[q]; each sub-block's 16 bytes as IQ4_NL.
struct BlockIQ4_XS {
    uint16_t d;
    uint16_t scales_h;
    uint8_t scales_l[QK_K / 64];
    uint8_t qs[QK_K / 2];
};
static_assert(sizeof(BlockIQ4_XS) == 136, "IQ4_XS block is 136 bytes");

constexpr int QK_NF4 = 64;  // bitsandbytes' block size for NF4 checkpoints
// bitsandbytes' NF4 code book (QLoRA's normal-float values, -1.0, -0.6961928009986877, ..., 0.0,
// 0.07958029955625534, ..., 0.7229568362236023, 1.0) as the IEEE bits of its float32 entries:
// the decimal values are float32 numbers exactly, and the bits let device code build lookup tables
// at compile time. x = d * value(q).
constexpr uint32_t kNf4Bits[16] = {0xbf800000u, 0xbf3239b1u, 0xbf066b30u, 0xbeca32a0u, 0xbe91a24du, 0xbe3d353fu,
                                   0xbdba7871u, 0x00000000u, 0x3da2faffu, 0x3e24cae3u, 0x3e7c04ddu, 0x3ead033au,
                                   0x3ee1a4b8u, 0x3f1007abu, 0x3f3913b3u, 0x3f800000u};

// x = d * nf4_value(q). The scale is float32, not FP16 like ggml's types: a bitsandbytes checkpoint's
// absmax (after undoing the double quantization, in float32 as bitsandbytes does) is kept exactly,
// so dequantizing a converted checkpoint gives bitsandbytes' own float32 weights bit for bit; the 4
// bytes also keep the block 4-byte aligned for word loads. Nibbles in 16-element chunks, each a
// contiguous 8 bytes (one 64-bit load per chunk, nothing read twice): element 16c + j (j < 8) is the
// low nibble of qs[8c + j], element 16c + 8 + j its high nibble.
struct BlockNF4 {
    float d;
    uint8_t qs[QK_NF4 / 2];
};
static_assert(sizeof(BlockNF4) == 36, "NF4 block is 36 bytes");

// Where element j (0..63) of an NF4 block sits: the byte of qs and the nibble's shift.
constexpr int nf4_byte(int j) {
    return 8 * (j / 16) + j % 8;
}
constexpr int nf4_shift(int j) {
    return (j % 16) < 8 ? 0 : 4;
}

struct TypeTraits {
    int32_t type;
    const char *name;
    int block_size;      // elements per block
    size_t block_bytes;  // bytes per block
};

// Traits of a supported weight type, or nullptr.
const TypeTraits *type_traits(int32_t type);

// ggml's name of any GGUF tensor type id (supported or not), or "type N" for an unknown id.
std::string ggml_type_name(int32_t type);

// Bytes of `n_elements` elements of `type`; throws if n is not a whole number of blocks.
uint64_t row_bytes(int32_t type, int64_t n_elements);

}  // namespace llcuda
