// Bit-exact conversions between float and the 16-bit formats of the weight files (host code).
#pragma once

#include <cstdint>
#include <cstring>

namespace llcuda {

inline float bits_to_float(uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

inline uint32_t float_to_bits(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    return bits;
}

// IEEE half to float, subnormals, infinities and NaN included.
inline float fp16_to_fp32(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1Fu;
    uint32_t mantissa = h & 0x3FFu;
    if (exponent == 0x1Fu) return bits_to_float(sign | 0x7F800000u | (mantissa << 13));
    if (exponent != 0) return bits_to_float(sign | ((exponent + 112u) << 23) | (mantissa << 13));
    if (mantissa == 0) return bits_to_float(sign);
    // Subnormal: value = mantissa * 2^-24.
    const float magnitude = static_cast<float>(mantissa) * (1.0f / 16777216.0f);
    return sign ? -magnitude : magnitude;
}

// Float to IEEE half, round to nearest even; overflow gives infinity.
inline uint16_t fp32_to_fp16(float f) {
    const uint32_t bits = float_to_bits(f);
    const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
    const uint32_t abs_bits = bits & 0x7FFFFFFFu;
    if (abs_bits > 0x7F800000u) return static_cast<uint16_t>(sign | 0x7E00u);   // NaN
    if (abs_bits >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // rounds to inf
    if (abs_bits < 0x38800000u) {
        // Result is subnormal or zero: add 0.5 as the magic number so the FPU rounds for us.
        const float rounded = bits_to_float(abs_bits) + 0.5f;
        return static_cast<uint16_t>(sign | (float_to_bits(rounded) - 0x3F000000u));
    }
    const uint32_t odd = (abs_bits >> 13) & 1u;
    const uint32_t biased = abs_bits + 0xC8000FFFu + odd;  // rebias exponent by -112, round
    return static_cast<uint16_t>(sign | (biased >> 13));
}

inline float bf16_to_fp32(uint16_t h) {
    return bits_to_float(static_cast<uint32_t>(h) << 16);
}

// Float to bfloat16, round to nearest even; NaN stays NaN.
inline uint16_t fp32_to_bf16(float f) {
    const uint32_t bits = float_to_bits(f);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((bits >> 16) | 0x40u);
    return static_cast<uint16_t>((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}

}  // namespace llcuda
