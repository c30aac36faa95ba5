// Native tests of the CPU backend and the C ABI: every numeric kernel against float64 on fresh
// random inputs (the seed is printed), ABI bad-input handling, and, when the shared test data is
// found (argv[1] or LLCUDA_TESTDATA, else ../shared/testdata from the working directory's
// ancestors), whole-model logits of the micro models against their float64 references plus
// batching, paging and chunking invariance; micro qwen3/gemma2/gemma3 models written here against
// family_reference.h's float64 forward, beyond their sliding windows. LLCUDA_TEST_VERBOSE=1 lists passing checks too.
// Prints "N passed, M failed"; exits 1 on failure.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "batch_validation.h"
#include "bert_test.h"
#include "chunked_runner.h"
#include "lora_test.h"
#include "cpu/attention.h"
#include "cpu/cpu_features.h"
#include "cuda/sample-row.h"
#include "cpu/kernels.h"
#include "cpu/kv_cache.h"
#include "cpu/matmul.h"
#include "cpu/ops.h"
#include "error.h"
#include "ggml_blocks.h"
#include "half.h"
#include "llcuda.h"
#include "model_file.h"
#include "model_spec.h"
#include "partition.h"
#include "partition_test.h"
#include "quants.h"
#include "reference_forward.h"
#include "reference_model.h"
#include "rng.h"
#include "rope_frequencies.h"
#include "sampling.h"
#include "shard.h"
#include "family_reference.h"
#include "model-spec-from-gguf.h"
#include "test_gguf.h"

using namespace llcuda;

namespace {

int g_passed = 0, g_failed = 0;
std::mt19937_64 g_rng;

void check(bool ok, const std::string &what) {
    static const bool verbose = std::getenv("LLCUDA_TEST_VERBOSE") != nullptr;
    if (ok) {
        ++g_passed;
        if (verbose) std::printf("ok: %s\n", what.c_str());
    } else {
        ++g_failed;
        std::printf("FAIL: %s\n", what.c_str());
    }
}

std::vector<float> normal(size_t n, float sigma = 1.0f) {
    std::normal_distribution<float> dist(0.0f, sigma);
    std::vector<float> v(n);
    for (float &x : v) x = dist(g_rng);
    return v;
}

std::string sci(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2e", v);
    return text;
}

double rel_l2(const std::vector<double> &ref, const std::vector<double> &got) {
    double num = 0, den = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        num += (got[i] - ref[i]) * (got[i] - ref[i]);
        den += ref[i] * ref[i];
    }
    return std::sqrt(num / (den > 0 ? den : 1));
}

const int32_t kTypes[] = {LLCUDA_TYPE_F32,  LLCUDA_TYPE_F16,    LLCUDA_TYPE_BF16,   LLCUDA_TYPE_Q8_0,
                          LLCUDA_TYPE_Q4_0, LLCUDA_TYPE_Q4_K,   LLCUDA_TYPE_Q5_K,   LLCUDA_TYPE_Q6_K,
                          LLCUDA_TYPE_Q4_1, LLCUDA_TYPE_Q5_0,   LLCUDA_TYPE_Q5_1,   LLCUDA_TYPE_Q2_K,
                          LLCUDA_TYPE_Q3_K, LLCUDA_TYPE_IQ4_NL, LLCUDA_TYPE_IQ4_XS, LLCUDA_TYPE_NF4};

// The IQ4_NL/IQ4_XS code book as the GGUF format defines it.
const int kIq4Book[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

// bitsandbytes' NF4 code book as published (QLoRA, bitsandbytes' functional.py), in decimal.
const double kNf4Book[16] = {-1.0,
                             -0.6961928009986877,
                             -0.5250730514526367,
                             -0.39491748809814453,
                             -0.28444138169288635,
                             -0.18477343022823334,
                             -0.09105003625154495,
                             0.0,
                             0.07958029955625534,
                             0.16093020141124725,
                             0.24611230194568634,
                             0.33791524171829224,
                             0.44070982933044434,
                             0.5626170039176941,
                             0.7229568362236023,
                             1.0};

// ---------------------------------------------------------------- float64 decoders (independent)

double half(const uint8_t *p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return fp16_to_fp32(h);
}

// Element i of a row of `type`, decoded straight from the format description in double.
double decode_element(int32_t type, const uint8_t *row, int64_t i) {
    switch (type) {
        case LLCUDA_TYPE_F32: {
            float f;
            std::memcpy(&f, row + 4 * i, 4);
            return f;
        }
        case LLCUDA_TYPE_F16:
            return half(row + 2 * i);
        case LLCUDA_TYPE_BF16: {
            uint16_t h;
            std::memcpy(&h, row + 2 * i, 2);
            return bf16_to_fp32(h);
        }
        case LLCUDA_TYPE_Q8_0: {
            const uint8_t *b = row + 34 * (i / 32);
            return half(b) * static_cast<int8_t>(b[2 + i % 32]);
        }
        case LLCUDA_TYPE_Q4_0: {
            const uint8_t *b = row + 18 * (i / 32);
            const int j = static_cast<int>(i % 32);
            const int q = j < 16 ? (b[2 + j] & 0xF) : (b[2 + j - 16] >> 4);
            return half(b) * (q - 8);
        }
        case LLCUDA_TYPE_Q4_K:
        case LLCUDA_TYPE_Q5_K: {
            const bool five = type == LLCUDA_TYPE_Q5_K;
            const uint8_t *b = row + (five ? 176 : 144) * (i / 256);
            const int j = static_cast<int>(i % 256), sub = j / 32, l = j % 32;
            const uint8_t *sc = b + 4;
            int scale, min;
            if (sub < 4) {
                scale = sc[sub] & 63;
                min = sc[sub + 4] & 63;
            } else {
                scale = (sc[sub + 4] & 0xF) | ((sc[sub - 4] >> 6) << 4);
                min = (sc[sub + 4] >> 4) | ((sc[sub] >> 6) << 4);
            }
            const uint8_t *qs = b + (five ? 48 : 16);
            int q = (qs[32 * (sub / 2) + l] >> (4 * (sub % 2))) & 0xF;
            if (five) q += ((b[16 + l] >> sub) & 1) * 16;
            return half(b) * scale * q - half(b + 2) * min;
        }
        case LLCUDA_TYPE_Q6_K: {
            const uint8_t *b = row + 210 * (i / 256);
            const int j = static_cast<int>(i % 256), h = j / 128, r = j % 128, quarter = r / 32, l = r % 32;
            const uint8_t *ql = b + 64 * h, *qh = b + 128 + 32 * h;
            const int low = (quarter % 2 == 0 ? ql[l] : ql[l + 32]) >> (quarter >= 2 ? 4 : 0) & 0xF;
            const int high = (qh[l] >> (2 * quarter)) & 3;
            const int8_t scale = static_cast<int8_t>(b[192 + 8 * h + quarter * 2 + l / 16]);
            return half(b + 208) * scale * ((low | (high << 4)) - 32);
        }
        case LLCUDA_TYPE_Q4_1: {
            const uint8_t *b = row + 20 * (i / 32);
            const int j = static_cast<int>(i % 32);
            const int q = j < 16 ? (b[4 + j] & 0xF) : (b[4 + j - 16] >> 4);
            return half(b) * q + half(b + 2);
        }
        case LLCUDA_TYPE_Q5_0:
        case LLCUDA_TYPE_Q5_1: {
            const bool with_min = type == LLCUDA_TYPE_Q5_1;
            const uint8_t *b = row + (with_min ? 24 : 22) * (i / 32);
            const uint8_t *qh = b + (with_min ? 4 : 2), *qs = qh + 4;
            const int j = static_cast<int>(i % 32);
            const int bit = (qh[j / 8] >> (j % 8)) & 1;
            const int q = (j < 16 ? (qs[j] & 0xF) : (qs[j - 16] >> 4)) + 16 * bit;
            return with_min ? half(b) * q + half(b + 2) : half(b) * (q - 16);
        }
        case LLCUDA_TYPE_Q2_K: {
            const uint8_t *b = row + 84 * (i / 256);
            const int j = static_cast<int>(i % 256), h = j / 128, g = (j % 128) / 32, l = j % 32;
            const int sc = b[8 * h + 2 * g + (l >= 16)];
            const int q = (b[16 + 32 * h + l] >> (2 * g)) & 3;
            return half(b + 80) * (sc & 0xF) * q - half(b + 82) * (sc >> 4);
        }
        case LLCUDA_TYPE_Q3_K: {
            const uint8_t *b = row + 110 * (i / 256);
            const int j = static_cast<int>(i % 256), h = j / 128, g = (j % 128) / 32, l = j % 32;
            // Sixteen 6-bit scales: 4 low bits from the nibbles of bytes 0..7 (low nibbles first),
            // 2 high bits from bytes 8..11, four scales per byte.
            const uint8_t *sc = b + 96;
            int scales[16];
            for (int s = 0; s < 16; ++s) {
                const int low = s < 8 ? sc[s] & 0xF : sc[s - 8] >> 4;
                scales[s] = (low | (((sc[8 + s % 4] >> (2 * (s / 4))) & 3) << 4)) - 32;
            }
            const int q = (b[32 + 32 * h + l] >> (2 * g)) & 3;
            const int high = (b[l] >> (4 * h + g)) & 1;
            return half(b + 108) * scales[8 * h + 2 * g + (l >= 16)] * (q - (high ? 0 : 4));
        }
        case LLCUDA_TYPE_IQ4_NL: {
            const uint8_t *b = row + 18 * (i / 32);
            const int j = static_cast<int>(i % 32);
            return half(b) * kIq4Book[j < 16 ? (b[2 + j] & 0xF) : (b[2 + j - 16] >> 4)];
        }
        case LLCUDA_TYPE_IQ4_XS: {
            const uint8_t *b = row + 136 * (i / 256);
            const int j = static_cast<int>(i % 256), sub = j / 32, l = j % 32;
            const int scales_h = b[2] | (b[3] << 8);
            const int ls = ((b[4 + sub / 2] >> (4 * (sub % 2))) & 0xF) | (((scales_h >> (2 * sub)) & 3) << 4);
            const uint8_t *qs = b + 8 + 16 * sub;
            return half(b) * (ls - 32) * kIq4Book[l < 16 ? (qs[l] & 0xF) : (qs[l - 16] >> 4)];
        }
        case LLCUDA_TYPE_NF4: {  // float32 d, then 16-element chunks of 8 bytes: low nibbles first
            const uint8_t *b = row + 36 * (i / 64);
            const int j = static_cast<int>(i % 64);
            float d;
            std::memcpy(&d, b, 4);
            return d * kNf4Book[(b[4 + 8 * (j / 16) + j % 8] >> (j % 16 < 8 ? 0 : 4)) & 0xF];
        }
        default:
            return NAN;
    }
}

// Random bytes of `n` elements with sane fp16 scales (random quants, random scale bits).
std::vector<uint8_t> random_blocks(int32_t type, int64_t n) {
    const uint64_t bytes = row_bytes(type, n);
    std::vector<uint8_t> data(bytes);
    for (uint8_t &b : data) b = static_cast<uint8_t>(g_rng());
    const TypeTraits *t = type_traits(type);
    auto set_half = [&](uint8_t *p) {
        uint16_t h = fp32_to_fp16(std::uniform_real_distribution<float>(-0.1f, 0.1f)(g_rng));
        std::memcpy(p, &h, 2);
    };
    for (int64_t b = 0; b < n / t->block_size; ++b) {
        uint8_t *blk = data.data() + b * t->block_bytes;
        switch (type) {
            case LLCUDA_TYPE_F32: {
                float f = std::normal_distribution<float>()(g_rng);
                std::memcpy(blk, &f, 4);
                break;
            }
            case LLCUDA_TYPE_F16:
                set_half(blk);
                break;
            case LLCUDA_TYPE_BF16: {
                uint16_t h = fp32_to_bf16(std::normal_distribution<float>()(g_rng));
                std::memcpy(blk, &h, 2);
                break;
            }
            case LLCUDA_TYPE_Q6_K:
                set_half(blk + 208);
                break;
            case LLCUDA_TYPE_Q4_K:
            case LLCUDA_TYPE_Q5_K:
            case LLCUDA_TYPE_Q4_1:
            case LLCUDA_TYPE_Q5_1:
                set_half(blk);
                set_half(blk + 2);
                break;
            case LLCUDA_TYPE_Q2_K:
                set_half(blk + 80);
                set_half(blk + 82);
                break;
            case LLCUDA_TYPE_Q3_K:
                set_half(blk + 108);
                break;
            case LLCUDA_TYPE_NF4: {
                float d = std::uniform_real_distribution<float>(-0.1f, 0.1f)(g_rng);
                std::memcpy(blk, &d, 4);
                break;
            }
            default:
                set_half(blk);
        }
    }
    return data;
}

// ---------------------------------------------------------------- formats

void test_half_conversions() {
    int bad = 0;
    for (uint32_t h = 0; h < 65536; ++h) {
        const float f = fp16_to_fp32(static_cast<uint16_t>(h));
        if (std::isnan(f)) continue;
        bad += fp32_to_fp16(f) != h;
    }
    check(bad == 0, "fp16 -> fp32 -> fp16 is the identity on every non-NaN half (" + std::to_string(bad) + " differ)");
    int not_nearest = 0;
    for (int i = 0; i < 100000; ++i) {
        const float f =
            std::ldexp(std::uniform_real_distribution<float>(-1, 1)(g_rng), static_cast<int>(g_rng() % 40) - 26);
        const uint16_t h = fp32_to_fp16(f);
        const double err = std::fabs(static_cast<double>(fp16_to_fp32(h)) - f);
        for (int d : {-1, 1}) {
            const float other = fp16_to_fp32(static_cast<uint16_t>(h + d));
            if (!std::isnan(other) && std::fabs(static_cast<double>(other) - f) < err) ++not_nearest;
        }
    }
    check(not_nearest == 0, "fp32 -> fp16 picks the nearest half");
    check(fp32_to_bf16(1.00390625f) == 0x3F80 && fp32_to_bf16(1.01171875f) == 0x3F82,
          "fp32 -> bf16 rounds ties to even");
}

void test_dequantize_matches_float64_decoder() {
    for (int32_t type : kTypes) {
        const int64_t n = 256 * 3;
        const std::vector<uint8_t> data = random_blocks(type, n);
        std::vector<float> got(n);
        dequantize_row(type, data.data(), got.data(), n);
        double worst = 0;
        for (int64_t i = 0; i < n; ++i) {
            const double ref = decode_element(type, data.data(), i);
            worst = std::max(worst, std::fabs(got[i] - ref) / (std::fabs(ref) + 1e-30));
        }
        check(worst < 1e-6, std::string("dequantize ") + type_traits(type)->name +
                                " equals the float64 decode (worst rel " + std::to_string(worst) + ")");
        std::vector<float> via_abi(n);
        check(llcuda_dequantize(type, data.data(), data.size(), n, via_abi.data()) == LLCUDA_OK && via_abi == got,
              std::string("llcuda_dequantize ") + type_traits(type)->name + " gives the reference decode");
    }
}

// Blocks built by hand, decoded by the reference dequantizer: the expected values are worked out
// from the format definitions (scale bit positions, quant bit positions, offsets, code book).
void test_hand_built_blocks() {
    auto decode = [](int32_t type, const std::vector<uint8_t> &blk) {
        std::vector<float> y(static_cast<size_t>(type_traits(type)->block_size));
        dequantize_row(type, blk.data(), y.data(), static_cast<int64_t>(y.size()));
        return y;
    };
    // Q5_0: d = 0.5; qs[j] = j; fifth bits of elements 0 and 31 set.
    std::vector<uint8_t> q5(22, 0);
    q5[1] = 0x38;
    q5[2] = 0x01;
    q5[5] = 0x80;
    for (int j = 0; j < 16; ++j) q5[6 + j] = static_cast<uint8_t>(j);
    const std::vector<float> y5 = decode(LLCUDA_TYPE_Q5_0, q5);
    check(y5[0] == 0.0f && y5[1] == -7.5f && y5[15] == -0.5f && y5[16] == -8.0f && y5[31] == 0.0f,
          "Q5_0 hand-built block: (nibble | fifth bit << 4) - 16, times d");
    // Q3_K: d = 1; sub-block 0 scale (1 | 2 << 4) - 32 = 1, sub-block 15 scale (15 | 3 << 4) - 32 = 31.
    std::vector<uint8_t> q3(110, 0);
    q3[109] = 0x3C;
    q3[96 + 0] = 0x01;
    q3[96 + 8] = 0x02;
    q3[96 + 7] = 0xF0;
    q3[96 + 11] = 0xC0;
    q3[32 + 0] = 0x03;
    q3[0] = 0x01;        // element 0: low bits 3, high bit set: 3
    q3[32 + 63] = 0x40;  // element 255: low bits 1 at bit 6, high bit clear: 1 - 4
    const std::vector<float> y3 = decode(LLCUDA_TYPE_Q3_K, q3);
    check(y3[0] == 3.0f && y3[1] == -4.0f && y3[255] == -93.0f && y3[16] == -4.0f * -32.0f,
          "Q3_K hand-built block: 6-bit signed scales, 2 low bits plus the hmask bit");
    // IQ4_XS: d = 1; sub-block 1 scale (5 | 2 << 4) - 32 = 5, the others -32.
    std::vector<uint8_t> iq(136, 0);
    iq[1] = 0x3C;
    iq[2] = 0x08;       // scales_h bits 2..3 = 2
    iq[4] = 0x50;       // scales_l: sub-block 0 low nibble 0, sub-block 1 low nibble 5
    iq[8] = 0x08;       // element 0: book[8] = 1
    iq[8 + 16] = 0x0F;  // element 32: book[15] = 113, element 48: book[0] = -127
    const std::vector<float> yx = decode(LLCUDA_TYPE_IQ4_XS, iq);
    check(yx[0] == -32.0f && yx[32] == 565.0f && yx[48] == -635.0f && yx[16] == -32.0f * -127.0f,
          "IQ4_XS hand-built block: 6-bit scales minus 32 times the non-linear code book");
    // Q2_K: d = 1, dmin = 0.5; sub-block 3 scale 7, min 2; element 3*16 + 32 + 16 - 32 = 48 is in
    // half 0, field 1 (bits 2..3), l = 16.
    std::vector<uint8_t> q2(84, 0);
    q2[81] = 0x3C;
    q2[83] = 0x38;
    q2[3] = 0x27;
    q2[16 + 16] = 0x0C;  // byte l = 16: field 1 = 3
    const std::vector<float> y2 = decode(LLCUDA_TYPE_Q2_K, q2);
    check(y2[48] == 7.0f * 3 - 1.0f && y2[49] == -1.0f && y2[16] == 0.0f,
          "Q2_K hand-built block: d*sc*q - dmin*m per sub-block of 16");
}

void test_quantize_round_trip_error() {
    // Relative RMS error bounds for Gaussian data; K-quant scale search must beat the plain
    // max-scale formats of equal bit width. NF4 scales each block of 64 by its largest magnitude, so
    // a block holding one of the outliers below keeps little precision for the rest (seen up to 0.122).
    struct Bound {
        int32_t type;
        double max_err;
    };
    const Bound bounds[] = {
        {LLCUDA_TYPE_F32, 0},     {LLCUDA_TYPE_F16, 5e-4},   {LLCUDA_TYPE_BF16, 4e-3},  {LLCUDA_TYPE_Q8_0, 1e-2},
        {LLCUDA_TYPE_Q4_0, 0.13}, {LLCUDA_TYPE_Q4_K, 0.11},  {LLCUDA_TYPE_Q5_K, 0.055}, {LLCUDA_TYPE_Q6_K, 0.03},
        {LLCUDA_TYPE_Q4_1, 0.1},  {LLCUDA_TYPE_Q5_0, 0.065}, {LLCUDA_TYPE_Q5_1, 0.055}, {LLCUDA_TYPE_Q2_K, 0.34},
        {LLCUDA_TYPE_Q3_K, 0.2},  {LLCUDA_TYPE_IQ4_NL, 0.1}, {LLCUDA_TYPE_IQ4_XS, 0.1}, {LLCUDA_TYPE_NF4, 0.14}};
    const int64_t n = 4096;
    std::vector<float> x = normal(n, 0.5f);
    for (int i = 0; i < 8; ++i) x[g_rng() % n] *= 8.0f;  // a few outliers, as real weights have
    std::vector<double> errs;
    for (const Bound &b : bounds) {
        std::vector<uint8_t> q(row_bytes(b.type, n));
        uint64_t written = 0;
        const llcuda_status st = llcuda_quantize(b.type, x.data(), n, q.data(), q.size(), &written);
        std::vector<float> y(n);
        dequantize_row(b.type, q.data(), y.data(), n);
        double num = 0, den = 0;
        for (int64_t i = 0; i < n; ++i) {
            num += (y[i] - x[i]) * (y[i] - x[i]);
            den += x[i] * x[i];
        }
        const double err = std::sqrt(num / den);
        errs.push_back(err);
        check(st == LLCUDA_OK && written == q.size() && err <= b.max_err,
              std::string("quantize ") + type_traits(b.type)->name + " round trip error " + std::to_string(err) +
                  " <= " + std::to_string(b.max_err));
    }
    check(errs[5] < errs[4], "Q4_K (scale search) is more accurate than Q4_0");
    check(errs[10] < errs[8] && errs[12] < errs[11] && errs[13] < errs[4],
          "Q5_1 beats Q4_1, Q3_K beats Q2_K, IQ4_NL (non-linear book) beats Q4_0");
    float nan_input[32] = {0};
    nan_input[5] = NAN;
    uint8_t out[64];
    check(llcuda_quantize(LLCUDA_TYPE_Q8_0, nan_input, 32, out, sizeof out, nullptr) == LLCUDA_ERR_INVALID_ARGUMENT &&
              std::strstr(llcuda_last_error(), "src[5]") != nullptr,
          "quantize refuses non-finite input naming the index");
    check(llcuda_quantize(LLCUDA_TYPE_Q4_K, x.data(), 100, out, sizeof out, nullptr) == LLCUDA_ERR_INVALID_ARGUMENT,
          "quantize refuses a partial block");
    check(llcuda_quantize(LLCUDA_TYPE_Q8_0, x.data(), 64, out, sizeof out, nullptr) == LLCUDA_ERR_INVALID_ARGUMENT &&
              std::strstr(llcuda_last_error(), "need 68") != nullptr,
          "quantize refuses a too small destination");
    check(llcuda_dequantize(77, out, sizeof out, 32, x.data()) == LLCUDA_ERR_UNSUPPORTED,
          "dequantize refuses an unknown type");
}

// NF4: the engine's code book is the published one bit for bit, a hand-built block decodes to the
// values worked out from the layout, and the quantizer takes the block's largest magnitude as d
// and the nearest code for every element (bitsandbytes' quantizer).
void test_nf4_format() {
    bool book_ok = true;
    for (int q = 0; q < 16; ++q)
        book_ok = book_ok && nf4_value(q) == static_cast<float>(kNf4Book[q]) && nf4_value(q) == kNf4Book[q];
    check(book_ok, "NF4 code book equals the published float32 values exactly");
    std::vector<uint8_t> blk(36, 0);
    const float d = 0.75f;
    std::memcpy(blk.data(), &d, 4);
    blk[4 + 0] = 0xF0;       // element 0: code 0 (-1), element 8: code 15 (1)
    blk[4 + 8 + 7] = 0x9C;   // element 23: code 12, element 31: code 9
    blk[4 + 24 + 3] = 0x07;  // element 51: code 7 (0), element 59: code 0
    std::vector<float> y(64);
    dequantize_row(LLCUDA_TYPE_NF4, blk.data(), y.data(), 64);
    check(y[0] == -0.75f && y[8] == 0.75f && y[23] == nf4_value(12) * d && y[31] == nf4_value(9) * d && y[51] == 0.0f &&
              y[59] == -0.75f && y[1] == -0.75f,
          "NF4 hand-built block: float32 d times the code book, chunks of 16 in 8 bytes (low nibbles first)");
    const int64_t n = 64 * 40;
    std::vector<float> x = normal(n);
    for (int64_t i = 0; i < 64; ++i) x[i] = 0.0f;  // an all-zero block
    std::vector<uint8_t> q(row_bytes(LLCUDA_TYPE_NF4, n));
    quantize_row(LLCUDA_TYPE_NF4, x.data(), q.data(), n);
    int not_nearest = 0, bad_scale = 0;
    for (int64_t b = 0; b < n / 64; ++b) {
        float amax = 0.0f, db;
        for (int j = 0; j < 64; ++j) amax = std::max(amax, std::fabs(x[64 * b + j]));
        std::memcpy(&db, q.data() + 36 * b, 4);
        bad_scale += db != amax;
        for (int j = 0; j < 64; ++j) {
            const double v = amax > 0 ? static_cast<double>(x[64 * b + j] * (1.0f / amax)) : 0.0;
            const double got = decode_element(LLCUDA_TYPE_NF4, q.data(), 64 * b + j) / (amax > 0 ? amax : 1.0f);
            for (double c : kNf4Book) not_nearest += std::fabs(c - v) < std::fabs(got - v) - 1e-12;
        }
    }
    check(bad_scale == 0 && not_nearest == 0,
          "NF4 quantizer: d is the block's largest magnitude, every element the nearest code (" +
              std::to_string(bad_scale) + " scales, " + std::to_string(not_nearest) + " codes off)");
}

// ---------------------------------------------------------------- dot products

std::vector<SimdLevel> levels() {
    std::vector<SimdLevel> out = {SimdLevel::Scalar};
    if (cpu_simd_level_supported() >= SimdLevel::Avx2) out.push_back(SimdLevel::Avx2);
    if (cpu_simd_level_supported() >= SimdLevel::Avx512) out.push_back(SimdLevel::Avx512);
    return out;
}

// The activation row as the kernel sees it, decoded in double.
std::vector<double> decode_act(ActFormat format, const std::vector<uint8_t> &act, int64_t n) {
    std::vector<double> out(n);
    for (int64_t i = 0; i < n; ++i) {
        if (format == ActFormat::F32) {
            float f;
            std::memcpy(&f, act.data() + 4 * i, 4);
            out[i] = f;
        } else if (format == ActFormat::Q8_0) {
            out[i] = decode_element(LLCUDA_TYPE_Q8_0, act.data(), i);
        } else {
            const BlockQ8_K *b = reinterpret_cast<const BlockQ8_K *>(act.data()) + i / QK_K;
            out[i] = static_cast<double>(b->d) * b->qs[i % QK_K];
        }
    }
    return out;
}

// |got - ref| / sum|products| of the float64 dot product of a decoded weight row and activation row.
double dot_error(double got, const std::vector<double> &w, const std::vector<double> &a) {
    double ref = 0, magnitude = 0;
    for (size_t i = 0; i < w.size(); ++i) {
        ref += w[i] * a[i];
        magnitude += std::fabs(w[i] * a[i]);
    }
    return std::fabs(got - ref) / (magnitude + 1e-30);
}

// A kernel's tile on fresh rows: every shape up to 7 rows x 5 tokens (the register blocks and
// their row and token remainders), output rows kStride apart. Returns false unless every result
// equals the single dot product bit for bit and the gaps between output rows stay untouched;
// `worst` takes each result's error against float64.
bool tile_matches_dot(const CpuKernels &k, int32_t type, int64_t n, double &worst) {
    constexpr int64_t kRows = 7, kTokens = 5, kStride = kRows + 2;
    constexpr float kUntouched = 12345.0f;
    const WeightKernel &wk = k.for_type(type);
    const size_t w_bytes = row_bytes(type, n), a_bytes = act_row_bytes(wk.act, n);
    std::vector<uint8_t> w(kRows * w_bytes), a(kTokens * a_bytes);
    std::vector<std::vector<double>> wd(kRows), ad(kTokens);
    for (int64_t r = 0; r < kRows; ++r) {
        quantize_row(type, normal(n).data(), w.data() + r * w_bytes, n);
        for (int64_t i = 0; i < n; ++i) wd[r].push_back(decode_element(type, w.data() + r * w_bytes, i));
    }
    for (int64_t t = 0; t < kTokens; ++t) {
        std::vector<uint8_t> row(a_bytes);
        k.quantize(wk.act, normal(n).data(), row.data(), n);
        std::copy(row.begin(), row.end(), a.begin() + t * a_bytes);
        ad[t] = decode_act(wk.act, row, n);
    }
    bool ok = true;
    for (int64_t rows = 1; rows <= kRows; ++rows) {
        for (int64_t tokens = 1; tokens <= kTokens; ++tokens) {
            std::vector<float> out(kTokens * kStride, kUntouched);
            wk.tile(n, w.data(), w_bytes, rows, a.data(), a_bytes, tokens, out.data(), kStride);
            for (int64_t t = 0; t < kTokens; ++t) {
                for (int64_t r = 0; r < kStride; ++r) {
                    const float got = out[t * kStride + r];
                    if (t >= tokens || r >= rows) {
                        ok = ok && got == kUntouched;
                        continue;
                    }
                    const float dot = wk.dot(n, w.data() + r * w_bytes, a.data() + t * a_bytes);
                    ok = ok && float_to_bits(got) == float_to_bits(dot);
                    worst = std::max(worst, dot_error(got, wd[r], ad[t]));
                }
            }
        }
    }
    return ok;
}

void test_dot_kernels() {
    for (SimdLevel level : levels()) {
        const CpuKernels &k = kernels_for(level);
        for (int32_t type : kTypes) {
            const TypeTraits *t = type_traits(type);
            const std::vector<int64_t> sizes =
                t->block_size == 1 ? std::vector<int64_t>{1, 7, 8, 15, 16, 33, 100, 257, 1000}
                                   : std::vector<int64_t>{t->block_size, 3 * t->block_size, 7 * t->block_size};
            const WeightKernel &wk = k.for_type(type);
            double worst = 0, worst_tile = 0;
            bool act_matches = true, tile_ok = true;
            for (int64_t n : sizes) {
                const std::vector<float> wf = normal(n), af = normal(n);
                std::vector<uint8_t> w(row_bytes(type, n));
                quantize_row(type, wf.data(), w.data(), n);
                std::vector<uint8_t> act(act_row_bytes(wk.act, n)), act_ref(act.size());
                k.quantize(wk.act, af.data(), act.data(), n);
                scalar_kernels().quantize(wk.act, af.data(), act_ref.data(), n);
                act_matches = act_matches && act == act_ref;
                std::vector<double> wd(n);
                for (int64_t i = 0; i < n; ++i) wd[i] = decode_element(type, w.data(), i);
                worst = std::max(worst, dot_error(wk.dot(n, w.data(), act.data()), wd, decode_act(wk.act, act, n)));
                if (wk.tile != nullptr) tile_ok = tile_matches_dot(k, type, n, worst_tile) && tile_ok;
            }
            const std::string name = std::string(simd_level_name(level)) + " dot " + t->name;
            check(worst < 2e-6, name + " matches float64 (worst error / sum|products| " + std::to_string(worst) + ")");
            check(act_matches, name + " quantizes activations exactly like the scalar reference");
            if (wk.tile == nullptr) continue;
            check(tile_ok, name + " tile (1..7 rows x 1..5 tokens) equals the single dot products bit for bit");
            check(worst_tile < 2e-6,
                  name + " tile matches float64 (worst error / sum|products| " + std::to_string(worst_tile) + ")");
        }
    }
}

// GELU (tanh form) of every level against float64 over |x| from 1e-6 to FLT_MAX. In float, u =
// sqrt(2/pi)(x + 0.044715 x^3) carries a rounding error that exp(-2u) scales by |2u|, so the bound
// is relative and grows with GELU's condition number 1 + |2u| in the negative tail; results below
// 1e-30 (x < -9.3) only have to stay that small. Rows of every length up to 40 give each element the
// result it has in a long row (the tail goes through the same lanes).
void test_gelu_kernels() {
    std::vector<float> x;
    for (float scale : {1e-6f, 0.1f, 1.0f, 3.0f, 10.0f, 1e3f, 1e20f}) {
        const std::vector<float> v = normal(4000, scale);
        x.insert(x.end(), v.begin(), v.end());
    }
    for (float f : {0.0f, -0.0f, 1e-30f, -1e-30f, 40.0f, -40.0f, std::numeric_limits<float>::max(),
                    -std::numeric_limits<float>::max()})
        x.push_back(f);
    for (SimdLevel level : levels()) {
        const CpuKernels &k = kernels_for(level);
        std::vector<float> y = x;
        k.gelu(y.data(), static_cast<int64_t>(y.size()));
        double worst = 0.0, worst_near = 0.0;
        bool finite = true, tiny_ok = true, rows_ok = true;
        for (size_t i = 0; i < x.size(); ++i) {
            const double xd = x[i], u = 0.7978845608028654 * (xd + 0.044715 * xd * xd * xd);
            const double ref = xd / (1.0 + std::exp(-2.0 * u));
            finite = finite && std::isfinite(y[i]);
            if (std::fabs(ref) < 1e-30) {
                tiny_ok = tiny_ok && std::fabs(y[i]) <= 1e-30;
                continue;
            }
            const double rel = std::fabs(y[i] - ref) / std::fabs(ref);
            worst = std::max(worst, rel / (1.0 + std::fabs(2.0 * u)));
            if (xd > -3.0) worst_near = std::max(worst_near, rel);
        }
        for (int64_t n = 1; n <= 40; ++n) {
            std::vector<float> row(x.begin() + 4000, x.begin() + 4000 + n);
            k.gelu(row.data(), n);
            rows_ok = rows_ok && std::equal(row.begin(), row.end(), y.begin() + 4000);
        }
        const std::string name = std::string(simd_level_name(level)) + " gelu";
        check(worst < 3e-7, name + " matches float64 (worst relative error / (1 + |2u|) " + sci(worst) + ")");
        check(worst_near < 1.5e-6, name + " matches float64 for x > -3 (worst relative error " + sci(worst_near) + ")");
        check(finite && tiny_ok, name + " is finite everywhere and ~0 where float64 is below 1e-30");
        check(rows_ok, name + " gives every element of rows 1..40 long its result in the long row");
    }
}

// SiLU times up of every level against float64 over |gate| from 1e-6 to FLT_MAX (ups normal, 0.5
// for +-FLT_MAX, so the product stays finite). SiLU's argument is the exact input (no rounded u as
// in GELU), so the bound is relative and flat, about 3 ulp even in the negative tail; results
// below 1e-30 (gate < -75) only have to stay that small. Rows of every length up to 40 as in GELU.
void test_silu_mul_kernels() {
    std::vector<float> gate;
    for (float scale : {1e-6f, 0.1f, 1.0f, 3.0f, 10.0f, 1e3f, 1e20f}) {
        const std::vector<float> v = normal(4000, scale);
        gate.insert(gate.end(), v.begin(), v.end());
    }
    for (float f : {0.0f, -0.0f, 1e-30f, -1e-30f, 40.0f, -40.0f, 88.0f, -88.0f, -104.0f,
                    std::numeric_limits<float>::max(), -std::numeric_limits<float>::max()})
        gate.push_back(f);
    std::vector<float> up = normal(gate.size(), 1.0f);
    up[up.size() - 2] = up[up.size() - 1] = 0.5f;  // +-FLT_MAX: a product that stays in range
    for (SimdLevel level : levels()) {
        const CpuKernels &k = kernels_for(level);
        std::vector<float> y = gate;
        k.silu_mul(y.data(), up.data(), static_cast<int64_t>(y.size()));
        double worst = 0.0;
        bool finite = true, tiny_ok = true, rows_ok = true;
        for (size_t i = 0; i < gate.size(); ++i) {
            const double g = gate[i], ref = g / (1.0 + std::exp(-g)) * up[i];
            finite = finite && std::isfinite(y[i]);
            if (std::fabs(ref) < 1e-30) {
                tiny_ok = tiny_ok && std::fabs(y[i]) <= 1e-30;
                continue;
            }
            worst = std::max(worst, std::fabs(y[i] - ref) / std::fabs(ref));
        }
        for (int64_t n = 1; n <= 40; ++n) {
            std::vector<float> row(gate.begin() + 8000, gate.begin() + 8000 + n);
            k.silu_mul(row.data(), up.data() + 8000, n);
            rows_ok = rows_ok && std::equal(row.begin(), row.end(), y.begin() + 8000);
        }
        const std::string name = std::string(simd_level_name(level)) + " silu_mul";
        check(worst < 4e-7, name + " matches float64 (worst relative error " + sci(worst) + ")");
        check(finite && tiny_ok, name + " is finite everywhere and ~0 where float64 is below 1e-30");
        check(rows_ok, name + " gives every element of rows 1..40 long its result in the long row");
    }
}

// ---------------------------------------------------------------- tensor-parallel shards

// A weight matrix of every type cut for tensor parallelism gives the unsplit product: its row
// shards' outputs side by side equal the unsplit outputs exactly, and its column shards (whole
// blocks) run on their slices of the activations give partial sums whose total matches the float64
// product of the decoded weights and the activations as the kernels quantize them.
void test_tensor_parallel_shards() {
    const CpuKernels &k = kernels_for(cpu_simd_level_supported());
    ThreadPool pool(2);
    std::vector<uint8_t> scratch;
    for (int32_t type : kTypes) {
        const TypeTraits *t = type_traits(type);
        const int64_t unit = t->block_size == 1 ? 16 : t->block_size, cols = 6 * unit, rows = 10, n_x = 5;
        const std::vector<float> wf = normal(rows * cols), x = normal(n_x * cols);
        std::vector<uint8_t> w(row_bytes(type, cols) * rows);
        for (int64_t r = 0; r < rows; ++r)
            quantize_row(type, wf.data() + r * cols, w.data() + row_bytes(type, cols) * r, cols);
        TensorRef whole;
        whole.name = "blk.0.ffn_down.weight";
        whole.type = type;
        whole.n_dims = 2;
        whole.ne[0] = cols;
        whole.ne[1] = rows;
        whole.size = w.size();
        whole.data = w.data();
        std::vector<float> y(n_x * rows);
        matmul(k, pool, whole, nullptr, x.data(), n_x, y.data(), scratch);

        bool rows_equal = true;
        for (const Span &part : split_evenly(rows, 1, 3)) {
            const Shard shard = shard_rows(whole, part);
            std::vector<float> part_y(n_x * part.size());
            matmul(k, pool, shard.tensor, nullptr, x.data(), n_x, part_y.data(), scratch);
            for (int64_t i = 0; i < n_x; ++i)
                for (int64_t r = 0; r < part.size(); ++r)
                    rows_equal = rows_equal && part_y[i * part.size() + r] == y[i * rows + part.begin + r];
        }
        check(rows_equal, std::string("row shards of ") + t->name + " equal the unsplit rows exactly");

        const ActFormat act = k.for_type(type).act;
        for (int32_t parts : {2, 4}) {
            std::vector<double> sum(n_x * rows, 0.0);
            for (const Span &part : split_evenly(cols, unit, parts)) {
                const Shard shard = shard_columns(whole, part);
                std::vector<float> xs(n_x * part.size()), part_y(n_x * rows);
                for (int64_t i = 0; i < n_x; ++i)
                    std::copy_n(x.data() + i * cols + part.begin, part.size(), xs.data() + i * part.size());
                matmul(k, pool, shard.tensor, nullptr, xs.data(), n_x, part_y.data(), scratch);
                for (size_t j = 0; j < sum.size(); ++j) sum[j] += part_y[j];
            }
            double worst_split = 0, worst_whole = 0;
            for (int64_t i = 0; i < n_x; ++i) {
                std::vector<uint8_t> a(act_row_bytes(act, cols));
                k.quantize(act, x.data() + i * cols, a.data(), cols);
                const std::vector<double> ad = decode_act(act, a, cols);
                for (int64_t r = 0; r < rows; ++r) {
                    double ref = 0, magnitude = 0;
                    for (int64_t c = 0; c < cols; ++c) {
                        const double p = decode_element(type, w.data() + row_bytes(type, cols) * r, c) * ad[c];
                        ref += p;
                        magnitude += std::fabs(p);
                    }
                    worst_split = std::max(worst_split, std::fabs(sum[i * rows + r] - ref) / (magnitude + 1e-30));
                    worst_whole = std::max(worst_whole, std::fabs(y[i * rows + r] - ref) / (magnitude + 1e-30));
                }
            }
            check(worst_split < 2e-6 && worst_whole < 2e-6,
                  std::string("column shards of ") + t->name + " over " + std::to_string(parts) +
                      " ranks: partial sums match float64 (worst error / sum|products| " + std::to_string(worst_split) +
                      ", unsplit " + std::to_string(worst_whole) + ")");
        }
        if (t->block_size > 1) {
            try {
                shard_columns(whole, Span{0, unit + t->block_size / 2});
                check(false, std::string("a column shard inside a ") + t->name + " block is refused");
            } catch (const Error &e) {
                check(std::string(e.what()).find("blk.0.ffn_down.weight") != std::string::npos,
                      std::string("a column shard inside a ") + t->name + " block is refused (" + e.what() + ")");
            }
        }
    }
}

void test_partition_plans() {
    partition_test::run(check);
}

// ---------------------------------------------------------------- per-row ops

void test_rms_norm_and_rope() {
    const int64_t n = 77;
    const std::vector<float> x = normal(n, 3.0f), w = normal(n);
    std::vector<float> y(n);
    rms_norm(x.data(), w.data(), y.data(), n, 1e-5f);
    double ss = 0;
    for (float v : x) ss += static_cast<double>(v) * v;
    double worst = 0;
    for (int64_t i = 0; i < n; ++i) worst = std::max(worst, std::fabs(y[i] - x[i] / std::sqrt(ss / n + 1e-5) * w[i]));
    check(worst < 1e-5, "rms_norm matches float64");

    for (int32_t type : {LLCUDA_ROPE_NORMAL, LLCUDA_ROPE_NEOX}) {
        const int32_t head_dim = 24, rope_dim = 16, pos = 1234;
        RopeFrequencies table;
        for (int32_t i = 0; i < rope_dim / 2; ++i) table.freq.push_back(0.5 * std::pow(10000.0, -2.0 * i / rope_dim));
        table.mscale = 1.25;
        std::vector<float> h = normal(head_dim);
        const std::vector<float> orig = h;
        rope(h.data(), type, table, pos);
        double err = 0;
        for (int32_t i = 0; i < rope_dim / 2; ++i) {
            const double angle = pos * 0.5 * std::pow(10000.0, -2.0 * i / rope_dim), c = 1.25 * std::cos(angle),
                         sn = 1.25 * std::sin(angle);
            const int a = type == LLCUDA_ROPE_NEOX ? i : 2 * i,
                      b = type == LLCUDA_ROPE_NEOX ? i + rope_dim / 2 : 2 * i + 1;
            err = std::max(err, std::fabs(h[a] - (orig[a] * c - orig[b] * sn)));
            err = std::max(err, std::fabs(h[b] - (orig[a] * sn + orig[b] * c)));
        }
        for (int32_t i = rope_dim; i < head_dim; ++i)
            err = std::max(err, static_cast<double>(std::fabs(h[i] - orig[i])));
        check(err < 1e-5, std::string("rope ") + (type == LLCUDA_ROPE_NEOX ? "NEOX" : "NORMAL") +
                              " matches float64 with its magnitude, dims beyond rope_dim kept");
    }
}

// The per-pair frequencies and magnitude of each scaling against llama.cpp's definition of the
// angle (reference_model.h), at a position far beyond the original context.
void test_rope_frequencies() {
    for (const reference_model::Config &cfg : reference_model::configs()) {
        const std::string path = "/tmp/llcuda-test-cpu-rope-" + std::to_string(getpid()) + ".bin";
        const reference_model::Model ref = reference_model::write(cfg, path, 11);
        const ModelFile file(path);
        const ModelSpec spec = build_model_spec(ref.spec, file);
        const RopeFrequencies table = rope_frequencies(spec);
        const int32_t pos = 40000;
        double worst = 0;
        for (int32_t p = 0; p < spec.rope_dim / 2; ++p) {
            double c, sn;
            reference_model::rope_cos_sin(ref, pos, p, c, sn);
            const double angle = pos * table.freq[static_cast<size_t>(p)];
            worst = std::max(
                {worst, std::fabs(std::cos(angle) * table.mscale - c), std::fabs(std::sin(angle) * table.mscale - sn)});
        }
        std::remove(path.c_str());
        char worst_text[32];
        std::snprintf(worst_text, sizeof worst_text, "%.2g", worst);
        check(worst < 1e-9, "RoPE frequencies of " + cfg.name + " equal llama.cpp's angles at position 40000 (worst " +
                                worst_text + ")");
    }
}

// ---------------------------------------------------------------- attention

void test_attention_gqa() {
    for (int32_t ratio = 1; ratio <= 8; ++ratio) {
        ModelSpec spec;
        spec.n_vocab = 10;
        spec.n_head_kv = 2;
        spec.n_head = 2 * ratio;
        spec.head_dim = 20;
        spec.n_ctx = 64;
        spec.n_layer = 1;
        const int32_t block_size = 5, n_blocks = 30;
        CpuKvCache cache(spec, n_blocks, block_size);
        const int64_t kvd = spec.kv_dim(), qd = spec.q_dim();
        const std::vector<float> kv = normal(static_cast<size_t>(n_blocks) * block_size * kvd * 2);
        for (int64_t slot = 0; slot < n_blocks * block_size; ++slot) {
            std::memcpy(cache.k(0, slot), &kv[slot * kvd], kvd * 4);
            std::memcpy(cache.v(0, slot), &kv[(n_blocks * block_size + slot) * kvd], kvd * 4);
        }
        // Sequence 0: six tokens ending at the last context position; sequence 1: one decode token.
        std::vector<int32_t> tokens = {1, 2, 3, 4, 5, 6, 7}, positions = {58, 59, 60, 61, 62, 63, 20},
                             seq_ids = {0, 0, 0, 0, 0, 0, 1};
        std::vector<int32_t> blocks(2 * 13, -1);
        std::vector<int32_t> perm(n_blocks);
        for (int32_t i = 0; i < n_blocks; ++i) perm[i] = i;
        std::shuffle(perm.begin(), perm.end(), g_rng);
        for (int32_t j = 0; j < 13; ++j) blocks[j] = perm[j];
        for (int32_t j = 0; j < 5; ++j) blocks[13 + j] = perm[13 + j];
        const uint8_t sample[2] = {0, 0};
        llcuda_batch b{7,      tokens.data(), positions.data(), seq_ids.data(), 2,      13, blocks.data(),
                       sample, nullptr,       nullptr,          nullptr,        nullptr};
        int32_t sampled[2];
        llcuda_step_output o{sampled, nullptr, nullptr, 0};
        const StepBatch batch = validate_batch(b, o, spec, n_blocks, block_size);
        const std::vector<float> q = normal(7 * qd);
        std::vector<float> out(7 * qd);
        for (SimdLevel level : levels()) {
            ThreadPool pool(2);
            attention(kernels_for(level), pool, spec, batch, cache, 0, q.data(), out.data());
            double worst = 0;
            for (int32_t t = 0; t < 7; ++t) {
                const int32_t *table = blocks.data() + 13 * seq_ids[t];
                for (int32_t h = 0; h < spec.n_head; ++h) {
                    const int64_t kvo = (h / ratio) * spec.head_dim;
                    std::vector<double> s(positions[t] + 1);
                    double mx = -1e300, tot = 0;
                    for (int32_t j = 0; j <= positions[t]; ++j) {
                        const int64_t slot = table[j / block_size] * block_size + j % block_size;
                        double d = 0;
                        for (int32_t e = 0; e < spec.head_dim; ++e)
                            d += static_cast<double>(q[t * qd + h * spec.head_dim + e]) * kv[slot * kvd + kvo + e];
                        s[j] = d / std::sqrt(20.0);
                        mx = std::max(mx, s[j]);
                    }
                    for (double &v : s) {
                        v = std::exp(v - mx);
                        tot += v;
                    }
                    for (int32_t e = 0; e < spec.head_dim; ++e) {
                        double ref = 0;
                        for (int32_t j = 0; j <= positions[t]; ++j) {
                            const int64_t slot = table[j / block_size] * block_size + j % block_size;
                            ref += s[j] / tot * kv[(n_blocks * block_size + slot) * kvd + kvo + e];
                        }
                        worst = std::max(worst, std::fabs(out[t * qd + h * spec.head_dim + e] - ref));
                    }
                }
            }
            check(worst < 2e-5, "attention (" + std::string(simd_level_name(level)) + ") GQA ratio " +
                                    std::to_string(ratio) +
                                    " through scrambled block tables up to position n_ctx-1 matches float64 (" +
                                    std::to_string(worst) + ")");
        }
    }
}

// ---------------------------------------------------------------- sampling

void test_sampling() {
    Sampler sampler;
    const int32_t V = 50;
    const std::vector<float> base = normal(V, 2.0f);
    auto run = [&](llcuda_sampling_params p, int32_t pos, const std::vector<int32_t> &hist = {}) {
        std::vector<float> l = base;
        return sampler.sample(l.data(), V, p, hist.empty() ? nullptr : hist.data(), static_cast<int32_t>(hist.size()),
                              pos);
    };
    const int32_t argmax = static_cast<int32_t>(std::max_element(base.begin(), base.end()) - base.begin());
    llcuda_sampling_params greedy{0.0f, 0, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 1};
    const SampledToken g = run(greedy, 5);
    double lse = 0;
    for (float v : base) lse += std::exp(static_cast<double>(v) - base[argmax]);
    check(g.token == argmax && std::fabs(g.logprob + std::log(lse)) < 1e-5,
          "greedy picks the argmax with its log-softmax");

    llcuda_sampling_params p{0.8f, 0, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 42};
    bool same = true, varies = false;
    for (int32_t pos = 0; pos < 50; ++pos) {
        const SampledToken a = run(p, pos), b = run(p, pos);
        same = same && a.token == b.token && a.logprob == b.logprob;
        varies = varies || a.token != run(p, 0).token;
    }
    check(same && varies, "the same seed and position give the same token; positions vary the draw");
    llcuda_sampling_params top1 = p;
    top1.top_k = 1;
    bool all_argmax = true;
    for (int32_t pos = 0; pos < 20; ++pos)
        all_argmax = all_argmax && run(top1, pos).token == argmax && run(top1, pos).logprob == 0.0f;
    check(all_argmax, "top_k = 1 always gives the argmax with log-probability 0");
    llcuda_sampling_params minp = p;
    minp.min_p = 1.0f;
    check(run(minp, 3).token == argmax, "min_p = 1 keeps only the most probable token");

    // Frequencies over many positions follow softmax(logits / T) restricted by top-p.
    llcuda_sampling_params topp = p;
    topp.temperature = 1.0f;
    topp.top_p = 0.5f;
    std::vector<double> probs(V);
    std::vector<int32_t> order(V);
    for (int32_t i = 0; i < V; ++i) {
        probs[i] = std::exp(static_cast<double>(base[i]) - base[argmax]);
        order[i] = i;
    }
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return probs[a] > probs[b]; });
    double total = 0, kept_total = 0;
    for (double v : probs) total += v;
    std::vector<bool> kept(V, false);
    for (int32_t i : order) {
        kept[i] = true;
        kept_total += probs[i];
        if (kept_total >= 0.5 * total) break;
    }
    std::vector<int> counts(V, 0);
    const int draws = 20000;
    bool only_kept = true;
    for (int32_t pos = 0; pos < draws; ++pos) {
        const int32_t t = run(topp, pos).token;
        ++counts[t];
        only_kept = only_kept && kept[t];
    }
    double worst = 0;
    for (int32_t i = 0; i < V; ++i)
        if (kept[i]) worst = std::max(worst, std::fabs(counts[i] / double(draws) - probs[i] / kept_total));
    check(only_kept && worst < 0.02,
          "top-p draws only from the nucleus, with frequencies of the renormalised softmax (" + std::to_string(worst) +
              ")");

    // Against a plain full-sort implementation of the documented order, random parameters.
    int differ = 0;
    for (int trial = 0; trial < 400; ++trial) {
        const int32_t vocab = 1 + static_cast<int32_t>(g_rng() % 3000);
        const std::vector<float> logits = normal(vocab, 3.0f);
        llcuda_sampling_params q{std::uniform_real_distribution<float>(0.05f, 2.0f)(g_rng),
                                 static_cast<int32_t>(g_rng() % 4) == 0 ? 0 : static_cast<int32_t>(g_rng() % 200),
                                 g_rng() % 3 == 0 ? 1.0f : std::uniform_real_distribution<float>(0.05f, 1.0f)(g_rng),
                                 g_rng() % 3 == 0 ? 0.0f : std::uniform_real_distribution<float>(0.0f, 0.3f)(g_rng),
                                 1.0f,
                                 0.0f,
                                 0.0f,
                                 g_rng()};
        const int32_t pos = static_cast<int32_t>(g_rng() % 100000);
        std::vector<std::pair<float, int32_t>> c(vocab);
        for (int32_t i = 0; i < vocab; ++i) c[i] = {logits[i] / q.temperature, i};
        std::sort(c.begin(), c.end(),
                  [](auto &a, auto &b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
        size_t kept = q.top_k > 0 && q.top_k < vocab ? static_cast<size_t>(q.top_k) : c.size();
        std::vector<double> pr(kept);
        double tot = 0;
        for (size_t i = 0; i < kept; ++i) {
            pr[i] = std::exp(static_cast<double>(c[i].first) - c[0].first);
            tot += pr[i];
        }
        if (q.top_p < 1.0f) {
            double cum = 0;
            size_t m = 0;
            while (m < kept) {
                cum += pr[m++];
                if (cum >= q.top_p * tot) break;
            }
            kept = m;
        }
        if (q.min_p > 0.0f) {
            size_t m = 1;
            while (m < kept && pr[m] >= q.min_p * pr[0]) ++m;
            kept = m;
        }
        double kt = 0;
        for (size_t i = 0; i < kept; ++i) kt += pr[i];
        const double thr = static_cast<double>(sampling_uniform(q.seed, pos)) * kt;
        double cum = 0;
        size_t chosen = kept - 1;
        for (size_t i = 0; i < kept; ++i) {
            cum += pr[i];
            if (cum > thr) {
                chosen = i;
                break;
            }
        }
        std::vector<float> l = logits;
        const SampledToken got = sampler.sample(l.data(), vocab, q, nullptr, 0, pos);
        differ += got.token != c[chosen].second || std::fabs(got.logprob - std::log(pr[chosen] / kt)) > 1e-5;
    }
    check(differ == 0, "the sampler equals a full-sort implementation of its documented order (" +
                           std::to_string(differ) + " of 400 differ)");

    // Penalties: repetition divides a positive logit, frequency and presence subtract.
    llcuda_sampling_params pen = greedy;
    pen.repetition_penalty = 1e6f;
    check(run(pen, 0, {argmax, argmax}).token != argmax, "repetition penalty pushes a repeated top token down");
    std::vector<float> l = base;
    pen = greedy;
    pen.frequency_penalty = 0.5f;
    pen.presence_penalty = 0.25f;
    const std::vector<int32_t> hist = {3, 3, 7};
    std::vector<float> expected = base;
    expected[3] -= 2 * 0.5f + 0.25f;
    expected[7] -= 0.5f + 0.25f;
    sampler.sample(l.data(), V, pen, hist.data(), 3, 0);
    check(l == expected, "frequency and presence penalties subtract count * f + p from history tokens");
}

// Constrained decoding: with an allowed-token mask the sampler never draws a masked token, and
// draws exactly what unmasked sampling of the allowed tokens alone (a smaller vocabulary, ids in
// the same order, penalty history mapped into it) draws, with the same log-probability.
void test_masked_sampling() {
    Sampler masked, reference;
    const int32_t V = 300, W = (V + 31) / 32;
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    int differ = 0, masked_drawn = 0;
    for (int trial = 0; trial < 400; ++trial) {
        const std::vector<float> logits = normal(V, trial % 3 == 0 ? 0.2f : 3.0f);
        std::vector<uint32_t> mask(W, 0);
        const float density = trial % 5 == 0 ? 0.004f : unit(g_rng);
        std::vector<int32_t> subset;  // allowed ids in increasing order
        for (int32_t t = 0; t < V; ++t) {
            if (unit(g_rng) < density) {
                mask[t >> 5] |= 1u << (t & 31);
                subset.push_back(t);
            }
        }
        if (subset.empty()) {
            const int32_t t = trial % V;
            mask[t >> 5] |= 1u << (t & 31);
            subset.push_back(t);
        }
        llcuda_sampling_params q{trial % 4 == 0 ? 0.0f : 0.3f + 1.5f * unit(g_rng),
                                 trial % 3 == 0 ? 0 : 1 + trial % 40,
                                 trial % 2 == 0 ? 1.0f : 0.5f + 0.5f * unit(g_rng),
                                 trial % 5 == 1 ? 0.05f : 0.0f,
                                 trial % 7 == 0 ? 1.3f : 1.0f,
                                 trial % 6 == 0 ? 0.4f : 0.0f,
                                 0.0f,
                                 static_cast<uint64_t>(trial)};
        std::vector<int32_t> history, small_history;
        for (int i = 0; i < 12; ++i) history.push_back(static_cast<int32_t>(g_rng() % V));
        std::vector<float> small(subset.size());
        for (size_t i = 0; i < subset.size(); ++i) small[i] = logits[static_cast<size_t>(subset[i])];
        for (int32_t t : history) {
            const auto it = std::lower_bound(subset.begin(), subset.end(), t);
            if (it != subset.end() && *it == t) small_history.push_back(static_cast<int32_t>(it - subset.begin()));
        }
        const int32_t pos = trial * 3;
        std::vector<float> row = logits;
        const SampledToken got =
            masked.sample(row.data(), V, q, history.data(), static_cast<int32_t>(history.size()), pos, mask.data());
        const SampledToken want = reference.sample(small.data(), static_cast<int32_t>(small.size()), q,
                                                   small_history.empty() ? nullptr : small_history.data(),
                                                   static_cast<int32_t>(small_history.size()), pos);
        masked_drawn += (mask[static_cast<size_t>(got.token) >> 5] >> (got.token & 31) & 1u) == 0;
        differ += got.token != subset[static_cast<size_t>(want.token)] || got.logprob != want.logprob;
    }
    check(masked_drawn == 0,
          "masked sampling never draws a masked token (" + std::to_string(masked_drawn) + " of 400 did)");
    check(differ == 0, "masked sampling equals unmasked sampling over the allowed tokens alone (" +
                           std::to_string(differ) + " of 400 differ)");
}

// The CUDA sampler's algorithm (cuda/sample-row.h) on one host thread equals the host Sampler on
// fresh random rows: every filter alone and combined, ties (also exact ties everywhere), penalties
// over random histories. The GPU test checks the same on the device's block execution.
struct HostExec {
    static constexpr int kMaxCompact = 1024;
    std::vector<int32_t> bins;
    std::vector<uint64_t> top_keys;
    std::vector<double> top_probs;
    int first() const { return 0; }
    int stride() const { return 1; }
    void sync() const {}
    void add_count(int32_t *c) const { ++*c; }
    double sum(double v) const { return v; }
    uint64_t max_key(uint64_t v) const { return v; }
    int32_t *zeroed_bins() {
        bins.assign(256, 0);
        return bins.data();
    }
    void count_in_bin(int32_t *b, int bin) const {
        if (bin >= 0) ++b[bin];
    }
    cuda::BinPick pick_bin(const int32_t *b, int need) const {
        int above = 0, bin = 255;
        while (above + b[bin] < need) above += b[bin--];
        return {bin, above, b[bin]};
    }
    cuda::Candidates sorted_head(const uint64_t *keys, const double *probs, int n, uint64_t key_min) {
        top_keys.clear();
        for (int i = 0; i < n; ++i)
            if (keys[i] >= key_min) top_keys.push_back(keys[i]);
        std::sort(top_keys.begin(), top_keys.end(), std::greater<uint64_t>());
        top_probs.clear();
        for (uint64_t key : top_keys) top_probs.push_back(probs[cuda::key_id(key)]);
        return {top_keys.data(), top_probs.data(), static_cast<int>(top_keys.size())};
    }
};

void test_gpu_sampling_algorithm() {
    int rows = 0, same = 0;
    double worst_logprob = 0;
    for (int V : {32003, 5000, 700}) {  // 700: the whole vocabulary is the sorted head
        std::vector<uint64_t> keys(V);
        std::vector<double> probs(V);
        for (int r = 0; r < 400; ++r) {
            const float temperatures[] = {0.0f, 0.3f, 0.8f, 1.5f}, top_ps[] = {1.0f, 0.95f, 0.5f, 0.1f},
                        min_ps[] = {0.0f, 0.05f, 0.5f};
            const int top_ks[] = {0, 1, 40, 1024, 1025, 2000, V + 5};
            llcuda_sampling_params p{temperatures[r % 4],
                                     top_ks[(r / 4) % 7],
                                     top_ps[(r / 28) % 4],
                                     min_ps[r % 3],
                                     1.0f,
                                     0.0f,
                                     0.0f,
                                     g_rng()};
            if (r % 5 == 1) {
                p.repetition_penalty = 1.3f;
                p.frequency_penalty = 0.2f;
                p.presence_penalty = 0.4f;
            }
            std::vector<float> row = normal(V, 3.0f);
            if (r % 7 == 3) {  // ties at the top
                const float top = *std::max_element(row.begin(), row.end()) + 1.0f;
                for (int i = 0; i < 5; ++i) row[g_rng() % V] = top;
            }
            if (r % 11 == 5)
                for (float &x : row) x = std::round(x);  // exact ties everywhere
            std::vector<int32_t> history;
            if (r % 5 == 1)
                for (int i = 0, n = 1 + static_cast<int>(g_rng() % 400); i < n; ++i)
                    history.push_back(i % 3 == 0 && i > 0 ? history.back() : static_cast<int32_t>(g_rng() % V));
            const int32_t position = 1 + static_cast<int32_t>(g_rng() % 100000);
            std::vector<float> host_row = row;
            const SampledToken want =
                Sampler().sample(host_row.data(), V, p, history.data(), static_cast<int32_t>(history.size()), position);
            HostExec ex;
            const cuda::SampledPick got =
                cuda::sample_row(ex, row.data(), V, p, history.data(), static_cast<int>(history.size()), position,
                                 keys.data(), probs.data(), reinterpret_cast<int32_t *>(keys.data()), nullptr);
            ++rows;
            if (got.token == want.token) {
                ++same;
                worst_logprob = std::max(worst_logprob, static_cast<double>(std::fabs(got.logprob - want.logprob)));
            }
        }
    }
    check(same == rows, "CUDA sampler algorithm (host execution) picks the host Sampler's token on " +
                            std::to_string(same) + " of " + std::to_string(rows) + " random rows");
    check(worst_logprob <= 1e-6,
          "CUDA sampler algorithm log-probabilities within 1e-6 (worst " + std::to_string(worst_logprob) + ")");
}

// Allowed-token masks in the CUDA sampler's algorithm (host execution) equal the host Sampler's:
// sparse and dense random masks, a single allowed token, masks hiding the top tokens, with every
// filter and penalties.
void test_gpu_sampling_algorithm_masked() {
    const int V = 5000, W = (V + 31) / 32;
    std::vector<uint64_t> keys(V);
    std::vector<double> probs(V);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    int rows = 0, same = 0, masked_drawn = 0;
    for (int r = 0; r < 300; ++r) {
        const float temperatures[] = {0.0f, 0.3f, 1.0f}, top_ps[] = {1.0f, 0.9f}, min_ps[] = {0.0f, 0.05f};
        const int top_ks[] = {0, 1, 40, 2000};
        llcuda_sampling_params p{
            temperatures[r % 3], top_ks[(r / 3) % 4], top_ps[(r / 12) % 2], min_ps[r % 2], 1.0f, 0.0f, 0.0f, g_rng()};
        std::vector<int32_t> history;
        if (r % 4 == 1) {
            p.repetition_penalty = 1.3f;
            p.presence_penalty = 0.4f;
            for (int i = 0; i < 60; ++i) history.push_back(static_cast<int32_t>(g_rng() % V));
        }
        std::vector<float> row = normal(V, 3.0f);
        std::vector<uint32_t> mask(W, 0);
        const float density = r % 5 == 0 ? 0.0005f : r % 5 == 1 ? 0.999f : unit(g_rng);
        for (int t = 0; t < V; ++t)
            if (unit(g_rng) < density) mask[t >> 5] |= 1u << (t & 31);
        const int32_t argmax = static_cast<int32_t>(std::max_element(row.begin(), row.end()) - row.begin());
        if (r % 5 == 1) mask[argmax >> 5] &= ~(1u << (argmax & 31));  // hides the top token
        const int32_t one = static_cast<int32_t>(g_rng() % V);
        mask[one >> 5] |= 1u << (one & 31);  // never empty
        const int32_t position = 1 + static_cast<int32_t>(g_rng() % 100000);
        std::vector<float> host_row = row;
        const SampledToken want = Sampler().sample(host_row.data(), V, p, history.data(),
                                                   static_cast<int32_t>(history.size()), position, mask.data());
        HostExec ex;
        const cuda::SampledPick got =
            cuda::sample_row(ex, row.data(), V, p, history.data(), static_cast<int>(history.size()), position,
                             keys.data(), probs.data(), reinterpret_cast<int32_t *>(keys.data()), mask.data());
        ++rows;
        same += got.token == want.token && std::fabs(got.logprob - want.logprob) <= 1e-6f;
        masked_drawn += got.token < 0 || (mask[static_cast<size_t>(got.token) >> 5] >> (got.token & 31) & 1u) == 0;
    }
    check(same == rows, "CUDA sampler algorithm (host execution) with allowed-token masks equals the host Sampler on " +
                            std::to_string(same) + " of " + std::to_string(rows) + " rows");
    check(masked_drawn == 0,
          "CUDA sampler algorithm never draws a masked token (" + std::to_string(masked_drawn) + " did)");
}

// Rows no model should produce but a broken one can (NaN weights, overflowing penalties) and
// temperatures so small that the scaled logits overflow: the host Sampler and the CUDA algorithm
// stay inside the row, agree, pick only finite logits (the finite argmax when the scaled logits
// overflow) and report a row without a finite logit as LLCUDA_SAMPLE_NO_FINITE_LOGIT.
void test_sampling_on_any_logits() {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    int rows = 0, inside = 0, agree = 0, tiny_argmax = 0, tiny_rows = 0, empty_failed = 0, empty_rows = 0;
    for (int V : {700, 5000}) {
        std::vector<uint64_t> keys(V);
        std::vector<double> probs(V);
        for (int r = 0; r < 300; ++r) {
            const float temperatures[] = {0.0f, 0.8f, 1e-40f, 1e-30f, std::numeric_limits<float>::min()};
            const int top_ks[] = {0, 1, 40, 1025};
            const float top_ps[] = {1.0f, 0.9f, 1e-7f}, min_ps[] = {0.0f, 0.05f, 1.0f};
            llcuda_sampling_params p{temperatures[r % 5],
                                     top_ks[(r / 5) % 4],
                                     top_ps[(r / 20) % 3],
                                     min_ps[r % 3],
                                     1.0f,
                                     0.0f,
                                     0.0f,
                                     g_rng()};
            std::vector<float> row = normal(V, 3.0f);
            const int kind = r % 6;  // 0: a few non-finite, 1: mostly NaN, 2: +inf everywhere but one, 3: none finite,
                                     // 4: -inf everywhere but one, 5: huge values
            for (float &x : row) {
                const uint64_t u = g_rng() % 100;
                if (kind == 0 && u < 5) x = u % 3 == 0 ? nan : u % 3 == 1 ? inf : -inf;
                if (kind == 1 && u < 90) x = nan;
                if (kind == 2) x = inf;
                if (kind == 3) x = u % 2 == 0 ? nan : -inf;
                if (kind == 4) x = -inf;
                if (kind == 5) x *= 1e37f;
            }
            const int only = static_cast<int>(g_rng() % V);
            if (kind == 2 || kind == 4) row[only] = 1.5f;
            std::vector<int32_t> history;
            if (r % 4 == 1) {  // penalties on rows with non-finite logits too
                p.repetition_penalty = 1.3f;
                p.frequency_penalty = 0.2f;
                for (int i = 0; i < 50; ++i) history.push_back(static_cast<int32_t>(g_rng() % V));
            }
            const int32_t position = 1 + static_cast<int32_t>(g_rng() % 100000);
            std::vector<float> host_row = row;
            const SampledToken want =
                Sampler().sample(host_row.data(), V, p, history.data(), static_cast<int32_t>(history.size()), position);
            HostExec ex;
            std::vector<float> gpu_row = row;
            const cuda::SampledPick got =
                cuda::sample_row(ex, gpu_row.data(), V, p, history.data(), static_cast<int>(history.size()), position,
                                 keys.data(), probs.data(), reinterpret_cast<int32_t *>(keys.data()), nullptr);
            ++rows;
            int32_t finite_argmax = -1;
            for (int i = 0; i < V; ++i)
                if (std::isfinite(host_row[i]) && (finite_argmax < 0 || host_row[i] > host_row[finite_argmax]))
                    finite_argmax = i;
            if (finite_argmax < 0) {
                ++empty_rows;
                empty_failed +=
                    want.token == LLCUDA_SAMPLE_NO_FINITE_LOGIT && got.token == LLCUDA_SAMPLE_NO_FINITE_LOGIT;
                continue;
            }
            inside += want.token >= 0 && want.token < V && std::isfinite(host_row[want.token]) &&
                      std::isfinite(want.logprob) && want.logprob <= 0.0f;
            agree += got.token == want.token && std::fabs(got.logprob - want.logprob) <= 1e-6f;
            if (p.temperature > 0.0f && p.temperature < 1e-35f && kind != 5) {
                ++tiny_rows;
                tiny_argmax += want.token == finite_argmax;
            }
        }
    }
    check(inside == rows - empty_rows, "the host Sampler picks a finite logit inside the row on " +
                                           std::to_string(inside) + " of " + std::to_string(rows - empty_rows) +
                                           " rows with NaN/Inf logits or tiny temperatures");
    check(agree == rows - empty_rows, "CUDA sampler algorithm (host execution) equals the host Sampler on " +
                                          std::to_string(agree) + " of " + std::to_string(rows - empty_rows) +
                                          " such rows");
    check(tiny_rows > 0 && tiny_argmax == tiny_rows,
          "a temperature whose scaled logits overflow samples the finite argmax (" + std::to_string(tiny_argmax) +
              " of " + std::to_string(tiny_rows) + ")");
    check(empty_rows > 0 && empty_failed == empty_rows,
          "a row without a finite logit gives LLCUDA_SAMPLE_NO_FINITE_LOGIT on both (" + std::to_string(empty_failed) +
              " of " + std::to_string(empty_rows) + ")");
}

// ---------------------------------------------------------------- ABI on a synthetic model

struct SyntheticModel {
    std::string path;
    std::vector<std::string> names;
    std::vector<llcuda_tensor_desc> tensors;
    llcuda_model_spec spec{};
};

// A tiny llama of F32 random weights written to a temporary file.
SyntheticModel write_synthetic_model() {
    SyntheticModel m;
    m.path = "/tmp/llcuda-test-cpu-" + std::to_string(getpid()) + ".bin";
    m.spec = llcuda_model_spec{LLCUDA_ARCH_LLAMA,
                               64,
                               32,
                               1,
                               4,
                               2,
                               8,
                               64,
                               32,
                               LLCUDA_ROPE_NORMAL,
                               8,
                               10000.0f,
                               1.0f,
                               1e-5f,
                               0,
                               nullptr,
                               LLCUDA_ROPE_SCALING_NONE,
                               0,
                               0.0f,
                               32.0f,
                               1.0f,
                               1.0f};
    struct Shape {
        const char *name;
        int64_t ne0, ne1;
    };
    const Shape shapes[] = {
        {"token_embd.weight", 32, 64},        {"output_norm.weight", 32, 1},    {"blk.0.attn_norm.weight", 32, 1},
        {"blk.0.attn_q.weight", 32, 32},      {"blk.0.attn_k.weight", 32, 16},  {"blk.0.attn_v.weight", 32, 16},
        {"blk.0.attn_output.weight", 32, 32}, {"blk.0.ffn_norm.weight", 32, 1}, {"blk.0.ffn_gate.weight", 32, 64},
        {"blk.0.ffn_up.weight", 32, 64},      {"blk.0.ffn_down.weight", 64, 32}};
    FILE *f = std::fopen(m.path.c_str(), "wb");
    uint64_t offset = 0;
    for (const Shape &s : shapes) {
        const bool vec = s.ne1 == 1;
        std::vector<float> w = normal(s.ne0 * s.ne1, vec ? 0.1f : 0.3f);
        if (vec)
            for (float &v : w) v += 1.0f;
        std::fwrite(w.data(), 4, w.size(), f);
        m.names.push_back(s.name);
        m.tensors.push_back(llcuda_tensor_desc{
            nullptr, LLCUDA_TYPE_F32, vec ? 1 : 2, {s.ne0, s.ne1, 1, 1}, offset, static_cast<uint64_t>(w.size()) * 4});
        offset += w.size() * 4;
    }
    std::fclose(f);
    for (size_t i = 0; i < m.tensors.size(); ++i) m.tensors[i].name = m.names[i].c_str();
    m.spec.n_tensors = static_cast<int32_t>(m.tensors.size());
    m.spec.tensors = m.tensors.data();
    return m;
}

void test_abi_bad_input() {
    SyntheticModel sm = write_synthetic_model();
    llcuda_backend *backend = nullptr;
    check(llcuda_backend_create(LLCUDA_BACKEND_CPU, 0, 2, &backend) == LLCUDA_OK, "CPU backend created");
    llcuda_backend *unknown = backend;
    check(llcuda_backend_create(7, 0, 2, &unknown) == LLCUDA_ERR_INVALID_ARGUMENT && unknown == nullptr &&
              std::strstr(llcuda_last_error(), "unknown backend kind 7") != nullptr,
          "an unknown backend kind is refused and *out cleared");

    llcuda_model *model = nullptr;
    SyntheticModel bad = sm;
    bad.tensors[4].offset = 1u << 20;
    bad.spec.tensors = bad.tensors.data();
    const llcuda_status beyond = llcuda_model_load(backend, sm.path.c_str(), &bad.spec, &model);
    check(beyond == LLCUDA_ERR_INVALID_ARGUMENT && model == nullptr &&
              std::strstr(llcuda_backend_last_error(backend), "blk.0.attn_k.weight") != nullptr &&
              std::strstr(llcuda_backend_last_error(backend), "beyond the end") != nullptr,
          std::string("a tensor beyond the file is refused naming it: ") + llcuda_backend_last_error(backend));
    bad = sm;
    bad.tensors[3].ne[1] = 31;
    bad.spec.tensors = bad.tensors.data();
    check(llcuda_model_load(backend, sm.path.c_str(), &bad.spec, &model) == LLCUDA_ERR_INVALID_ARGUMENT &&
              std::strstr(llcuda_last_error(), "blk.0.attn_q.weight") != nullptr,
          "a tensor of the wrong shape is refused naming it");
    bad = sm;
    bad.tensors[1].type = LLCUDA_TYPE_F16;
    bad.spec.tensors = bad.tensors.data();
    check(llcuda_model_load(backend, sm.path.c_str(), &bad.spec, &model) == LLCUDA_ERR_INVALID_ARGUMENT &&
              std::strstr(llcuda_last_error(), "must be F32") != nullptr,
          "a norm that is not F32 is refused");
    bad = sm;
    bad.tensors[3].type = 16;  // IQ2_XXS: a GGUF type the engine has no kernels for
    bad.spec.tensors = bad.tensors.data();
    check(
        llcuda_model_load(backend, sm.path.c_str(), &bad.spec, &model) == LLCUDA_ERR_UNSUPPORTED &&
            std::strstr(llcuda_last_error(), "blk.0.attn_q.weight") != nullptr &&
            std::strstr(llcuda_last_error(), "IQ2_XXS") != nullptr,
        std::string("a weight type without kernels is refused naming the tensor and the type: ") + llcuda_last_error());
    bad = sm;
    bad.spec.n_head_kv = 3;
    check(llcuda_model_load(backend, sm.path.c_str(), &bad.spec, &model) == LLCUDA_ERR_INVALID_ARGUMENT,
          "n_head not a multiple of n_head_kv is refused");
    check(llcuda_model_load(backend, "/nonexistent/model.gguf", &sm.spec, &model) == LLCUDA_ERR_IO &&
              std::strstr(llcuda_last_error(), "/nonexistent/model.gguf") != nullptr,
          "a missing file is an IO error naming the path");

    check(llcuda_model_load(backend, sm.path.c_str(), &sm.spec, &model) == LLCUDA_OK,
          "the valid synthetic model loads");
    llcuda_backend_free(backend);  // the model keeps the backend alive
    llcuda_kv_cache *cache = nullptr;
    check(llcuda_kv_cache_create(model, 4, 8, LLCUDA_TYPE_Q8_0, &cache) == LLCUDA_ERR_UNSUPPORTED,
          "Q8_0 KV is unsupported on the CPU");
    check(llcuda_kv_cache_create(model, 0, 8, LLCUDA_TYPE_F16, &cache) == LLCUDA_ERR_INVALID_ARGUMENT,
          "zero blocks refused");
    check(llcuda_kv_cache_create(model, 4, 8, LLCUDA_TYPE_F16, &cache) == LLCUDA_OK, "KV cache created");

    std::vector<int32_t> tokens = {1, 2, 3}, positions = {0, 1, 2}, seq_ids = {0, 0, 0}, blocks = {2, -1, -1, -1};
    uint8_t sample = 1;
    llcuda_sampling_params params{0.0f, 0, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0};
    int32_t sampled = -2;
    float logprob = 1;
    llcuda_batch b{3,       tokens.data(), positions.data(), seq_ids.data(), 1,      4, blocks.data(),
                   &sample, &params,       nullptr,          nullptr,        nullptr};
    llcuda_step_output o{&sampled, &logprob, nullptr, 0};
    auto expect_error = [&](const char *what, const char *needle) {
        const llcuda_status st = llcuda_step(model, cache, &b, &o);
        check(st == LLCUDA_ERR_INVALID_ARGUMENT && std::strstr(llcuda_model_last_error(model), needle) != nullptr &&
                  std::strstr(llcuda_kv_cache_last_error(cache), needle) != nullptr,
              std::string(what) + " -> error naming '" + needle + "': " + llcuda_model_last_error(model));
    };
    blocks[0] = 4;
    expect_error("a block table entry outside the cache", "block_tables[0]");
    blocks[0] = 2;
    positions = {30, 31, 32};
    b.positions = positions.data();
    expect_error("a position beyond the context", "positions[2]");
    positions = {0, 1, 2};
    tokens[1] = 64;
    expect_error("a token beyond the vocabulary", "tokens[1]");
    tokens[1] = 2;
    positions[2] = 5;
    expect_error("non-consecutive positions", "positions[2]");
    positions[2] = 2;
    params.top_p = NAN;
    expect_error("a NaN top_p", "top_p");
    struct BadParam {
        const char *what, *field;
        void (*set)(llcuda_sampling_params &);
    };
    const BadParam bad_params[] = {
        {"top_p 0", "top_p 0.000000 must be in (0, 1]", [](llcuda_sampling_params &q) { q.top_p = 0.0f; }},
        {"top_p -1", "top_p -1.000000 must be in (0, 1]", [](llcuda_sampling_params &q) { q.top_p = -1.0f; }},
        {"top_p 1.5", "top_p 1.500000 must be in (0, 1]", [](llcuda_sampling_params &q) { q.top_p = 1.5f; }},
        {"min_p 2", "min_p 2.000000 must be in [0, 1]", [](llcuda_sampling_params &q) { q.min_p = 2.0f; }},
        {"min_p -0.5", "min_p -0.500000 must be in [0, 1]", [](llcuda_sampling_params &q) { q.min_p = -0.5f; }},
        {"temperature -1", "temperature -1.000000 must be finite and >= 0",
         [](llcuda_sampling_params &q) { q.temperature = -1.0f; }},
        {"temperature NaN", "temperature NaN must be finite", [](llcuda_sampling_params &q) { q.temperature = NAN; }},
        {"top_k -1", "top_k -1 must be >= 0", [](llcuda_sampling_params &q) { q.top_k = -1; }},
        {"repetition_penalty 0", "repetition_penalty 0.000000 must be finite and > 0",
         [](llcuda_sampling_params &q) { q.repetition_penalty = 0.0f; }},
        {"frequency_penalty Inf", "frequency_penalty inf must be finite",
         [](llcuda_sampling_params &q) { q.frequency_penalty = INFINITY; }},
    };
    for (const BadParam &bp : bad_params) {
        params = llcuda_sampling_params{0.0f, 0, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0};
        bp.set(params);
        expect_error(bp.what, bp.field);
    }
    params = llcuda_sampling_params{0.0f, 0, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0};
    b.max_blocks_per_seq = 0;
    expect_error("max_blocks_per_seq 0", "max_blocks_per_seq");
    b.max_blocks_per_seq = 4;
    const uint8_t rows[3] = {1, 0, 1};
    b.logits_rows = rows;
    expect_error("logits rows without room", "logits");
    std::vector<float> logits(2 * 64);
    o.logits = logits.data();
    o.logits_capacity = static_cast<int64_t>(logits.size());
    check(llcuda_step(model, cache, &b, &o) == LLCUDA_OK && sampled >= 0 && sampled < 64 && logprob <= 0,
          "after the refused calls the same handles run a valid step");
    int32_t argmax = static_cast<int32_t>(std::max_element(logits.begin() + 64, logits.end()) - (logits.begin() + 64));
    check(sampled == argmax, "greedy sampling returns the argmax of the last row's logits");
    llcuda_model_free(model);  // the cache keeps the model alive
    tokens = {sampled};
    positions = {3};
    seq_ids = {0};
    b = llcuda_batch{1,       tokens.data(), positions.data(), seq_ids.data(), 1,      4, blocks.data(),
                     &sample, &params,       nullptr,          nullptr,        nullptr};
    llcuda_kv_cache_free(cache);
    check(llcuda_step(nullptr, nullptr, &b, &o) == LLCUDA_ERR_INVALID_ARGUMENT,
          "NULL handles are refused, not dereferenced");
    std::remove(sm.path.c_str());
}

// A model whose output norm is NaN (as a file with NaN weights): every logit is NaN, and the
// step still succeeds, reporting each sampling sequence as LLCUDA_SAMPLE_NO_FINITE_LOGIT.
// Load progress: every call has the same total (the weights' bytes), `done` never decreases and
// ends at the total; a load without a callback still works.
void test_load_progress() {
    SyntheticModel sm = write_synthetic_model();
    llcuda_backend *backend = nullptr;
    check(llcuda_backend_create(LLCUDA_BACKEND_CPU, 0, 1, &backend) == LLCUDA_OK, "CPU backend created");
    std::vector<std::pair<uint64_t, uint64_t>> calls;
    auto record = [](uint64_t done, uint64_t total, void *user) {
        static_cast<std::vector<std::pair<uint64_t, uint64_t>> *>(user)->emplace_back(done, total);
    };
    llcuda_model *model = nullptr;
    check(llcuda_model_load_with_progress(backend, sm.path.c_str(), &sm.spec, record, &calls, &model) == LLCUDA_OK,
          "a model loads with a progress callback");
    uint64_t weights = 0;
    check(model != nullptr && llcuda_model_weight_bytes(model, &weights) == LLCUDA_OK, "its weight bytes are known");
    bool monotonic = !calls.empty();
    for (size_t i = 0; i < calls.size(); ++i) {
        monotonic = monotonic && calls[i].second == weights && (i == 0 || calls[i].first >= calls[i - 1].first);
    }
    check(monotonic && calls.back().first == weights, "progress grows to the weights' " + std::to_string(weights) +
                                                          " bytes in " + std::to_string(calls.size()) + " calls");
    check(calls.size() >= sm.tensors.size(), "progress is told at least once per tensor");
    llcuda_model_free(model);
    model = nullptr;
    check(llcuda_model_load_with_progress(backend, sm.path.c_str(), &sm.spec, nullptr, nullptr, &model) == LLCUDA_OK,
          "a model loads without a progress callback");
    llcuda_model_free(model);
    llcuda_backend_free(backend);
    std::remove(sm.path.c_str());
}

void test_abi_nan_logits() {
    SyntheticModel sm = write_synthetic_model();
    const llcuda_tensor_desc &norm = sm.tensors[1];  // output_norm.weight
    const std::vector<float> nans(static_cast<size_t>(norm.size / 4), std::numeric_limits<float>::quiet_NaN());
    FILE *f = std::fopen(sm.path.c_str(), "r+b");
    std::fseek(f, static_cast<long>(norm.offset), SEEK_SET);
    std::fwrite(nans.data(), 4, nans.size(), f);
    std::fclose(f);
    llcuda_backend *backend = nullptr;
    llcuda_model *model = nullptr;
    llcuda_kv_cache *cache = nullptr;
    check(llcuda_backend_create(LLCUDA_BACKEND_CPU, 0, 2, &backend) == LLCUDA_OK &&
              llcuda_model_load(backend, sm.path.c_str(), &sm.spec, &model) == LLCUDA_OK &&
              llcuda_kv_cache_create(model, 4, 8, LLCUDA_TYPE_F16, &cache) == LLCUDA_OK,
          "a model with a NaN output norm loads");
    llcuda_backend_free(backend);
    if (model == nullptr || cache == nullptr) return;
    const std::vector<int32_t> tokens = {1, 2, 3, 4}, positions = {0, 1, 0, 1}, seq_ids = {0, 0, 1, 1},
                               blocks = {0, -1, 1, -1};
    const uint8_t sample[2] = {1, 1};
    const llcuda_sampling_params params[2] = {{0.0f, 0, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0},
                                              {0.8f, 40, 0.95f, 0.05f, 1.1f, 0.0f, 0.0f, 7}};
    const int32_t offsets[3] = {0, 2, 4};
    int32_t sampled[2] = {0, 0};
    llcuda_batch b{4,      tokens.data(), positions.data(), seq_ids.data(), 2,      2, blocks.data(),
                   sample, params,        offsets,          tokens.data(),  nullptr};
    llcuda_step_output o{sampled, nullptr, nullptr, 0};
    check(llcuda_step(model, cache, &b, &o) == LLCUDA_OK && sampled[0] == LLCUDA_SAMPLE_NO_FINITE_LOGIT &&
              sampled[1] == LLCUDA_SAMPLE_NO_FINITE_LOGIT,
          "NaN logits: the step succeeds and each sampling sequence reports LLCUDA_SAMPLE_NO_FINITE_LOGIT");
    llcuda_kv_cache_free(cache);
    llcuda_model_free(model);
    std::remove(sm.path.c_str());
}

// The model's log-probabilities (OpenAI's logprobs) equal a float64 reference: log-softmax over the
// finite raw logits, the sampled token's value and the top tokens by a full sort (higher logit,
// lower id first), on random rows with ties and non-finite logits.
void test_model_logprobs() {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    int rows = 0, same_tokens = 0;
    double worst = 0;
    for (int V : {700, 5000}) {
        for (int r = 0; r < 200; ++r) {
            std::vector<float> row = normal(V, r % 3 == 0 ? 0.3f : 4.0f);
            if (r % 4 == 1)
                for (float &x : row) x = std::round(x);  // ties everywhere
            if (r % 5 == 2)
                for (int i = 0; i < V / 10; ++i) row[g_rng() % V] = i % 3 == 0 ? nan : i % 3 == 1 ? inf : -inf;
            if (r % 17 == 3) {  // one finite logit
                for (int i = 1; i < V; ++i) row[i] = -inf;
                row[0] = 0.5f;
            }
            if (r % 23 == 4)
                for (float &x : row) x = nan;  // none finite
            const int n_top = std::vector<int>{0, 1, 5, 20}[r % 4];
            const int32_t token = static_cast<int32_t>(g_rng() % V);
            std::vector<std::pair<double, int32_t>> order;
            for (int32_t i = 0; i < V; ++i)
                if (std::isfinite(row[i])) order.emplace_back(row[i], i);
            std::sort(order.begin(), order.end(), [](auto &a, auto &b) {
                return a.first > b.first || (a.first == b.first && a.second < b.second);
            });
            double sum = 0;
            for (const auto &o : order) sum += std::exp(o.first - order[0].first);
            const double log_total = order.empty() ? 0.0 : order[0].first + std::log(sum);
            float got = 0;
            std::vector<int32_t> top(static_cast<size_t>(n_top) + 1, 7);
            std::vector<float> top_lp(static_cast<size_t>(n_top) + 1, 7);
            model_logprobs(row.data(), V, token, n_top, &got, top.data(), top_lp.data());
            ++rows;
            bool tokens_ok = top[static_cast<size_t>(n_top)] == 7;  // nothing written past n_top
            const double want = std::isfinite(row[token]) ? row[token] - log_total : 0.0;
            worst = std::max(worst, std::fabs(got - want));
            for (int k = 0; k < n_top; ++k) {
                const bool exists = static_cast<size_t>(k) < order.size();
                tokens_ok = tokens_ok && top[k] == (exists ? order[k].second : -1);
                if (exists)
                    worst = std::max(worst, std::fabs(top_lp[k] - (order[k].first - log_total)));
                else
                    tokens_ok = tokens_ok && top_lp[k] == 0.0f;
            }
            same_tokens += tokens_ok;
        }
    }
    check(same_tokens == rows, "model log-probabilities: top tokens equal a full sort on " +
                                   std::to_string(same_tokens) + " of " + std::to_string(rows) + " rows");
    check(worst <= 2e-5, "model log-probabilities within 2e-5 of float64 (worst " + std::to_string(worst) + ")");
}

// Log-probabilities through the ABI on the CPU: a step's model_logprobs and top tokens are those of
// the logits rows it returns, whatever the sampling parameters and masks; bad counts are refused.
void test_abi_model_logprobs() {
    SyntheticModel sm = write_synthetic_model();
    llcuda_backend *backend = nullptr;
    llcuda_model *model = nullptr;
    llcuda_kv_cache *cache = nullptr;
    check(llcuda_backend_create(LLCUDA_BACKEND_CPU, 0, 2, &backend) == LLCUDA_OK &&
              llcuda_model_load(backend, sm.path.c_str(), &sm.spec, &model) == LLCUDA_OK &&
              llcuda_kv_cache_create(model, 4, 8, LLCUDA_TYPE_F16, &cache) == LLCUDA_OK,
          "the synthetic model loads for log-probabilities");
    llcuda_backend_free(backend);
    if (model == nullptr || cache == nullptr) return;
    const int32_t V = sm.spec.n_vocab, W = (V + 31) / 32;
    const std::vector<int32_t> tokens = {1, 2, 3, 4, 5}, positions = {0, 1, 0, 1, 0}, seq_ids = {0, 0, 1, 1, 2},
                               blocks = {0, -1, 1, -1, 2, -1};
    const uint8_t sample[3] = {1, 1, 0}, rows[5] = {0, 1, 0, 1, 1};
    const llcuda_sampling_params params[3] = {{0.0f, 0, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0},
                                              {0.8f, 40, 0.95f, 0.05f, 1.3f, 0.2f, 0.0f, 7},
                                              {0.0f, 0, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0}};
    const int32_t offsets[4] = {0, 2, 4, 4};
    std::vector<uint32_t> allowed(static_cast<size_t>(3 * W), ~0u);
    allowed[0] = 0x0000f0f0u;  // sequence 0 may draw a few low ids only
    const int n_top = 4;
    int32_t sampled[3] = {0, 0, 0}, top_tokens[3 * n_top];
    float model_lp[3], top_lp[3 * n_top];
    std::vector<float> logits(3 * static_cast<size_t>(V));
    llcuda_batch b{5,      tokens.data(), positions.data(), seq_ids.data(), 3,   2, blocks.data(),
                   sample, params,        offsets,          tokens.data(),  rows};
    b.allowed_words = W;
    b.allowed_tokens = allowed.data();
    b.n_top_logprobs = n_top;
    llcuda_step_output o{sampled, nullptr, logits.data(), static_cast<int64_t>(logits.size())};
    o.model_logprobs = model_lp;
    o.top_tokens = top_tokens;
    o.top_logprobs = top_lp;
    bool ok = llcuda_step(model, cache, &b, &o) == LLCUDA_OK;
    for (int s = 0; s < 2 && ok; ++s) {
        float want = 0;
        int32_t want_top[n_top];
        float want_top_lp[n_top];
        model_logprobs(logits.data() + static_cast<size_t>(s) * V, V, sampled[s], n_top, &want, want_top, want_top_lp);
        ok = ok && want == model_lp[s] && std::equal(want_top, want_top + n_top, top_tokens + s * n_top) &&
             std::equal(want_top_lp, want_top_lp + n_top, top_lp + s * n_top);
    }
    ok = ok && model_lp[2] == 0.0f && top_tokens[2 * n_top] == -1;
    check(ok,
          "a CPU step's model log-probabilities are those of its raw logits rows (masked and penalized sequences too)");
    // Only sequence 1 asks: it gets the same values again, sequence 0 those of a sequence not sampled.
    const float lp1 = model_lp[1];
    const std::vector<int32_t> top1(top_tokens + n_top, top_tokens + 2 * n_top);
    const uint8_t asking[3] = {0, 1, 0};
    b.logprob_seqs = asking;
    ok = llcuda_step(model, cache, &b, &o) == LLCUDA_OK && model_lp[1] == lp1 &&
         std::equal(top1.begin(), top1.end(), top_tokens + n_top) && model_lp[0] == 0.0f && top_tokens[0] == -1 &&
         top_lp[0] == 0.0f && sampled[0] >= 0;
    check(ok, "batch.logprob_seqs: only the sequences asking get model log-probabilities on the CPU");
    b.logprob_seqs = nullptr;
    b.n_top_logprobs = LLCUDA_MAX_TOP_LOGPROBS + 1;
    check(llcuda_step(model, cache, &b, &o) == LLCUDA_ERR_INVALID_ARGUMENT &&
              std::string(llcuda_last_error()).find("n_top_logprobs") != std::string::npos,
          "n_top_logprobs above LLCUDA_MAX_TOP_LOGPROBS is refused naming it");
    b.n_top_logprobs = 2;
    o.top_tokens = nullptr;
    check(llcuda_step(model, cache, &b, &o) == LLCUDA_ERR_INVALID_ARGUMENT &&
              std::string(llcuda_last_error()).find("out.top_tokens") != std::string::npos,
          "n_top_logprobs without the output arrays is refused naming them");
    llcuda_kv_cache_free(cache);
    llcuda_model_free(model);
    std::remove(sm.path.c_str());
}

// ---------------------------------------------------------------- bert encoder (micro models written here)

void test_bert() {
    bert_test::run(g_rng, check);
}

// ---------------------------------------------------------------- LoRA adapters (micro models written here)

void test_lora() {
    const lora_test::Backend cpu{LLCUDA_BACKEND_CPU, 1e-5, reference_model::KvStore::Exact,
                                 [](uint64_t file_bytes, uint64_t, int32_t) { return file_bytes; }};
    lora_test::run(cpu, g_rng, check);
}

// ---------------------------------------------------------------- whole models vs references

bool exists(const std::string &p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0;
}

std::string find_testdata(int argc, char **argv) {
    if (argc > 1) return argv[1];
    if (const char *env = std::getenv("LLCUDA_TESTDATA")) return env;
    std::string dir = ".";
    for (int i = 0; i < 8; ++i, dir += "/..") {
        if (exists(dir + "/shared/testdata/models")) return dir + "/shared/testdata";
        if (exists(dir + "/../shared/testdata/models")) return dir + "/../shared/testdata";
    }
    return "";
}

struct Loaded {
    test_gguf::Model gguf;
    llcuda_backend *backend = nullptr;
    llcuda_model *model = nullptr;
    ~Loaded() {
        llcuda_model_free(model);
        llcuda_backend_free(backend);
    }
};

// The spec of a test GGUF file, every tensor's bytes filled in.
test_gguf::Model read_spec(const std::string &path) {
    test_gguf::Reader reader(path);
    test_gguf::Model m = reader.read();
    for (llcuda_tensor_desc &d : m.tensors) {
        int64_t rows = d.ne[1] * d.ne[2] * d.ne[3];
        d.size = row_bytes(d.type, d.ne[0]) * static_cast<uint64_t>(rows);
    }
    m.spec.tensors = m.tensors.data();
    return m;
}

bool load(const std::string &path, Loaded &out) {
    out.gguf = read_spec(path);
    return llcuda_backend_create(LLCUDA_BACKEND_CPU, 0, 2, &out.backend) == LLCUDA_OK &&
           llcuda_model_load(out.backend, path.c_str(), &out.gguf.spec, &out.model) == LLCUDA_OK;
}

using chunked_runner::run_logits;
using chunked_runner::SeqRun;

double bound_for(const std::string &name) {
    if (name.find("f32") != std::string::npos) return 5e-4;
    if (name.find("f16") != std::string::npos || name.find("llama-2-tiny") != std::string::npos) return 1e-3;
    if (name.find("BF16") != std::string::npos) return 6e-3;
    if (name.find("Q8_0") != std::string::npos || name.find("Q4_0") != std::string::npos) return 2e-2;
    return 3e-2;
}

void test_models(const std::string &testdata) {
    const char *models[] = {"micro-llama-f32",  "micro-llama-f16",    "micro-llama-BF16",   "micro-llama-Q8_0",
                            "micro-llama-Q4_0", "micro-llama-Q4_K_M", "micro-llama-Q5_K_M", "micro-llama-Q6_K",
                            "micro-qwen2-f32",  "micro-qwen2-Q8_0",   "micro-qwen2-Q4_K_M", "llama-2-tiny-random"};
    for (const char *name : models) {
        Loaded m;
        const std::string path = testdata + "/models/" + name + ".gguf";
        if (!load(path, m)) {
            check(false, std::string("load ") + name + ": " + llcuda_last_error());
            continue;
        }
        const int32_t V = m.gguf.spec.n_vocab;
        for (int p = 1; p <= 3; ++p) {
            std::vector<int32_t> ref_tokens;
            std::vector<std::vector<double>> ref_rows;
            const std::string ref = testdata + "/models/reference/" + name + ".p" + std::to_string(p) + ".exact.txt.gz";
            if (!exists(ref)) continue;
            if (!test_gguf::read_reference(ref, ref_tokens, ref_rows)) {
                check(false, "read " + ref);
                continue;
            }
            // Scalar reference kernels on the first prompt, the fastest level on every prompt.
            for (SimdLevel level : p == 1 ? levels() : std::vector<SimdLevel>{cpu_simd_level_supported()}) {
                limit_cpu_simd_level(level);
                llcuda_kv_cache *cache = nullptr;
                const int32_t bs = 16, nb = (m.gguf.spec.n_ctx + bs - 1) / bs;
                llcuda_kv_cache_create(m.model, nb, bs, LLCUDA_TYPE_F16, &cache);
                std::vector<SeqRun> seqs(1);
                seqs[0].tokens = ref_tokens;
                for (int32_t i = 0; i < nb; ++i) seqs[0].blocks.push_back(i);
                const std::vector<std::vector<float>> got = run_logits(m.model, cache, V, seqs, 1 << 20, nb);
                llcuda_kv_cache_free(cache);
                std::vector<double> r, g;
                for (auto &row : ref_rows) r.insert(r.end(), row.begin(), row.end());
                if (!got.empty()) g.assign(got[0].begin(), got[0].end());
                const double err = g.size() == r.size() ? rel_l2(r, g) : 1e9;
                check(err <= bound_for(name), std::string(name) + " p" + std::to_string(p) + " (" +
                                                  simd_level_name(level) + ") logits vs exact: rel L2 " +
                                                  std::to_string(err) + " <= " + std::to_string(bound_for(name)));
            }
            limit_cpu_simd_level(cpu_simd_level_supported());
        }
    }
}

// A model over two devices is planned and needs the system's NCCL, opened only then: without it
// the refusal names libnccl.so.2; with it, this build refuses to run the plan and says so. Bad
// device lists are refused before the file is read.
void test_several_devices(const std::string &testdata) {
    const std::string path = testdata + "/models/micro-llama-f32.gguf";
    test_gguf::Model m = read_spec(path);
    llcuda_model *model = nullptr;
    const int32_t two[] = {0, 1}, twice[] = {1, 1}, negative[] = {0, -1};
    const llcuda_status status = llcuda_model_load_on_devices(two, 2, path.c_str(), &m.spec, &model);
    const std::string message = llcuda_last_error();
    const bool no_nccl = message.find("libnccl.so.2 was not found") != std::string::npos &&
                         message.find("install NCCL") != std::string::npos;
    const bool refused_plan =
        message.find("execution over 2 devices is not available in this build; plan: ") != std::string::npos;
    check(status == LLCUDA_ERR_UNSUPPORTED && model == nullptr && (no_nccl || refused_plan),
          "a model over devices 0 and 1 is refused naming NCCL or the plan (" + message + ")");
    auto refused = [&](const int32_t *devices, int32_t n, const std::string &part) {
        const llcuda_status s = llcuda_model_load_on_devices(devices, n, path.c_str(), &m.spec, &model);
        const std::string why = llcuda_last_error();
        check(s == LLCUDA_ERR_INVALID_ARGUMENT && model == nullptr && why.find(part) != std::string::npos,
              "devices refused: " + why);
    };
    refused(two, 1, "n_devices 1 is outside 2..8 (one device: llcuda_model_load)");
    refused(twice, 2, "CUDA device 1 is listed twice");
    refused(negative, 2, "CUDA device ordinal -1 is negative");
    refused(nullptr, 2, "devices is NULL");
}

// Batching, paging and chunking give the same logits as one sequence alone in one go.
void test_invariance(const std::string &testdata) {
    Loaded m;
    if (!load(testdata + "/models/micro-llama-f32.gguf", m)) {
        check(false, "load micro-llama-f32");
        return;
    }
    const int32_t V = m.gguf.spec.n_vocab, bs = 8, nb = 96, max_blocks = 32;
    llcuda_kv_cache *cache = nullptr;
    llcuda_kv_cache_create(m.model, nb, bs, LLCUDA_TYPE_F16, &cache);
    std::uniform_int_distribution<int32_t> tok(0, V - 1);
    std::vector<int32_t> a(90), b(37), c(5);
    for (auto *v : {&a, &b, &c})
        for (int32_t &t : *v) t = tok(g_rng);
    std::vector<int32_t> perm(nb);
    for (int32_t i = 0; i < nb; ++i) perm[i] = i;
    auto contiguous = [&](int32_t first) {
        std::vector<int32_t> t(max_blocks, -1);
        for (int32_t i = 0; i < 12; ++i) t[i] = first + i;
        return t;
    };
    std::vector<std::vector<float>> alone;
    for (auto *v : {&a, &b, &c}) {
        std::vector<SeqRun> one{{*v, contiguous(0)}};
        alone.push_back(run_logits(m.model, cache, V, one, 1 << 20, max_blocks)[0]);
    }
    auto same = [&](const std::vector<float> &x, const std::vector<float> &y) {
        if (x.size() != y.size() || x.empty()) return 1e9;
        return rel_l2(std::vector<double>(x.begin(), x.end()), std::vector<double>(y.begin(), y.end()));
    };
    std::shuffle(perm.begin(), perm.end(), g_rng);
    auto scrambled = [&](int32_t k) {
        std::vector<int32_t> t(max_blocks, -1);
        for (int32_t i = 0; i < 12; ++i) t[i] = perm[12 * k + i];
        return t;
    };
    std::vector<SeqRun> three{{a, scrambled(0)}, {b, scrambled(1)}, {c, scrambled(2)}};
    for (int32_t chunk : {1, 7, 64}) {
        const auto together = run_logits(m.model, cache, V, three, chunk, max_blocks);
        double worst = 0;
        for (int k = 0; k < 3; ++k) worst = std::max(worst, together.size() == 3 ? same(alone[k], together[k]) : 1e9);
        check(worst < 1e-5, "three sequences batched together in chunks of " + std::to_string(chunk) +
                                " through scrambled block tables match each alone (rel " + std::to_string(worst) + ")");
    }
    llcuda_kv_cache_free(cache);
}

// A served file truncated or rewritten under a loaded model: the model keeps its own copy of the
// weights, so the process lives and the logits stay the same; the file reader refuses short reads.
void test_model_file_changes(const std::string &testdata) {
    const std::string path = "/tmp/llcuda-test-cpu-served-" + std::to_string(getpid()) + ".gguf";
    {
        std::ifstream in(testdata + "/models/micro-llama-Q8_0.gguf", std::ios::binary);
        std::ofstream out(path, std::ios::binary);
        out << in.rdbuf();
    }
    Loaded m;
    if (!load(path, m)) {
        check(false, std::string("load a copy of micro-llama-Q8_0: ") + llcuda_last_error());
        return;
    }
    const int32_t V = m.gguf.spec.n_vocab, max_blocks = 4;
    llcuda_kv_cache *cache = nullptr;
    llcuda_kv_cache_create(m.model, max_blocks, 8, LLCUDA_TYPE_F16, &cache);
    std::uniform_int_distribution<int32_t> tok(0, V - 1);
    std::vector<int32_t> prompt(20);
    for (int32_t &t : prompt) t = tok(g_rng);
    auto logits = [&] {
        std::vector<SeqRun> one{{prompt, {0, 1, 2, 3}}};
        return run_logits(m.model, cache, V, one, 1 << 20, max_blocks)[0];
    };
    const std::vector<float> before = logits();
    check(truncate(path.c_str(), 4096) == 0, "the served file is truncated to 4096 bytes");
    const std::vector<float> truncated = logits();
    check(!before.empty() && truncated == before, "after the file was truncated the model gives the same logits");
    {
        std::ofstream garbage(path, std::ios::binary | std::ios::trunc);
        const std::vector<char> noise(1 << 20, '\x5a');
        garbage.write(noise.data(), static_cast<std::streamsize>(noise.size()));
    }
    check(logits() == before, "after the file was rewritten the model gives the same logits");
    llcuda_kv_cache_free(cache);

    llcuda::ModelFile file(path);
    check(truncate(path.c_str(), 1000) == 0, "the opened file is truncated to 1000 bytes");
    std::vector<uint8_t> bytes(4096);
    try {
        file.read(0, bytes.size(), bytes.data(), "tensor 'x'");
        check(false, "a read past the new end of a file that shrank is refused");
    } catch (const llcuda::Error &e) {
        check(
            e.status() == LLCUDA_ERR_IO && std::strstr(e.what(), "shrank") != nullptr &&
                std::strstr(e.what(), "tensor 'x'") != nullptr,
            std::string("a read past the new end of a file that shrank is an IO error naming the tensor: ") + e.what());
    }
    try {
        file.check_unchanged();
        check(false, "a file whose size changed since it was opened is reported");
    } catch (const llcuda::Error &e) {
        check(e.status() == LLCUDA_ERR_IO && std::strstr(e.what(), "changed while being loaded") != nullptr,
              std::string("a file whose size changed since it was opened is reported: ") + e.what());
    }
    std::remove(path.c_str());
}

// Family parameters out of range are refused naming the field.
void llcuda_spec_refusal_checks(llcuda_backend *backend, const std::string &path, const llcuda_model_spec &good,
                                const char *name) {
    llcuda_model *model = nullptr;
    llcuda_model_spec bad = good;
    bad.attn_softcap = -1.0f;
    check(llcuda_model_load(backend, path.c_str(), &bad, &model) == LLCUDA_ERR_INVALID_ARGUMENT && model == nullptr &&
              std::strstr(llcuda_last_error(), "attn_softcap") != nullptr,
          std::string(name) + ": a negative attn_softcap is refused naming it");
    bad = good;
    bad.sliding_window = -3;
    check(llcuda_model_load(backend, path.c_str(), &bad, &model) == LLCUDA_ERR_INVALID_ARGUMENT &&
              std::strstr(llcuda_last_error(), "sliding_window") != nullptr,
          std::string(name) + ": a negative sliding_window is refused naming it");
    if (good.n_expert > 0) {
        bad = good;
        bad.n_expert_used = good.n_expert + 1;
        check(llcuda_model_load(backend, path.c_str(), &bad, &model) == LLCUDA_ERR_INVALID_ARGUMENT &&
                  std::strstr(llcuda_last_error(), "n_expert_used") != nullptr,
              std::string(name) + ": more experts per token than experts is refused naming n_expert_used");
        bad = good;
        bad.n_expert = 0;
        bad.n_expert_used = 0;
        const char *field = good.arch == LLCUDA_ARCH_QWEN3MOE ? "n_expert" : "blk.0.ffn_gate.weight";
        check(llcuda_model_load(backend, path.c_str(), &bad, &model) == LLCUDA_ERR_INVALID_ARGUMENT &&
                  std::strstr(llcuda_last_error(), field) != nullptr,
              std::string(name) + ": the file's experts read as a dense FFN are refused naming " + field);
        std::vector<llcuda_tensor_desc> fewer;
        for (int32_t i = 0; i < good.n_tensors; ++i)
            if (std::strcmp(good.tensors[i].name, "blk.1.ffn_down_exps.weight") != 0) fewer.push_back(good.tensors[i]);
        bad = good;
        bad.tensors = fewer.data();
        bad.n_tensors = static_cast<int32_t>(fewer.size());
        check(llcuda_model_load(backend, path.c_str(), &bad, &model) == LLCUDA_ERR_INVALID_ARGUMENT &&
                  std::strstr(llcuda_last_error(), "blk.1.ffn_down_exps.weight") != nullptr,
              std::string(name) + ": missing expert matrices are refused naming them");
    }
    if (good.arch == LLCUDA_ARCH_QWEN3 || good.arch == LLCUDA_ARCH_GEMMA3) {
        std::vector<llcuda_tensor_desc> fewer;
        for (int32_t i = 0; i < good.n_tensors; ++i)
            if (std::strcmp(good.tensors[i].name, "blk.1.attn_k_norm.weight") != 0) fewer.push_back(good.tensors[i]);
        bad = good;
        bad.tensors = fewer.data();
        bad.n_tensors = static_cast<int32_t>(fewer.size());
        check(llcuda_model_load(backend, path.c_str(), &bad, &model) == LLCUDA_ERR_INVALID_ARGUMENT &&
                  std::strstr(llcuda_last_error(), "blk.1.attn_k_norm.weight") != nullptr,
              std::string(name) + ": a missing k norm is refused naming it");
    }
}

// Greedy decoding through llcuda_step's sampler (temperature 0, as `llcuda generate` and the engine
// run it): the prompt in one step, then `n` tokens one by one; stops early at a failed step.
std::vector<int32_t> greedy_tokens(llcuda_model *model, llcuda_kv_cache *cache, const std::vector<int32_t> &prompt,
                                   int32_t n, const std::vector<int32_t> &blocks) {
    const llcuda_sampling_params greedy{0.0f, 0, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 1};
    const uint8_t sample = 1;
    std::vector<int32_t> all = prompt, out;
    size_t fed = 0;
    while (static_cast<int32_t>(out.size()) < n) {
        const std::vector<int32_t> tokens(all.begin() + static_cast<std::ptrdiff_t>(fed), all.end());
        std::vector<int32_t> positions(tokens.size()), seq_ids(tokens.size(), 0);
        for (size_t i = 0; i < tokens.size(); ++i) positions[i] = static_cast<int32_t>(fed + i);
        llcuda_batch b{};
        b.n_tokens = static_cast<int32_t>(tokens.size());
        b.tokens = tokens.data();
        b.positions = positions.data();
        b.seq_ids = seq_ids.data();
        b.n_seqs = 1;
        b.max_blocks_per_seq = static_cast<int32_t>(blocks.size());
        b.block_tables = blocks.data();
        b.sample = &sample;
        b.sampling = &greedy;
        int32_t sampled = -1;
        llcuda_step_output o{};
        o.sampled = &sampled;
        if (llcuda_step(model, cache, &b, &o) != LLCUDA_OK || sampled < 0) break;
        fed = all.size();
        all.push_back(sampled);
        out.push_back(sampled);
    }
    return out;
}

// The greedy chain of the backend equals the float64 reference's argmax chain for 64 tokens past a
// 16-token prompt (several windows of the micro shapes): by induction it suffices that at every step
// the reference's argmax after the tokens so far is the backend's next token, which one reference
// pass over the whole chain shows. Prompts are drawn until the reference's top-2 gap is at least 1e-3
// at every step (float32 rounding, 1e-6 of the logits here, then cannot flip a choice).
void greedy_chain_check(llcuda_model *model, llcuda_kv_cache *cache, const family_reference::Reference &reference,
                        int32_t n_vocab, const char *name) {
    const int32_t n = 64, prompt_length = 16;
    const double min_gap = 1e-3;
    std::vector<int32_t> blocks;
    for (int32_t b = 15; b >= 0; --b) blocks.push_back(b);
    std::uniform_int_distribution<int32_t> tok(0, n_vocab - 1);
    for (int attempt = 0; attempt < 20; ++attempt) {
        std::vector<int32_t> prompt(static_cast<size_t>(prompt_length));
        for (int32_t &t : prompt) t = tok(g_rng);
        const std::vector<int32_t> chain = greedy_tokens(model, cache, prompt, n, blocks);
        if (static_cast<int32_t>(chain.size()) != n) {
            check(false, std::string(name) + ": greedy decoding of 64 tokens ran: " + llcuda_model_last_error(model));
            return;
        }
        std::vector<int32_t> all = prompt;
        all.insert(all.end(), chain.begin(), chain.end() - 1);
        const std::vector<std::vector<double>> rows = reference.logits(all);
        int32_t agreed = 0;
        double smallest_gap = INFINITY;
        for (int32_t i = 0; i < n; ++i) {
            const std::vector<double> &row = rows[static_cast<size_t>(prompt_length) - 1 + static_cast<size_t>(i)];
            std::vector<double> sorted(row);
            std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<double>());
            smallest_gap = std::min(smallest_gap, sorted[0] - sorted[1]);
            if (row[static_cast<size_t>(chain[static_cast<size_t>(i)])] != sorted[0] || smallest_gap < min_gap) break;
            ++agreed;
        }
        if (smallest_gap < min_gap) continue;  // a near tie: draw another prompt
        check(agreed == n, std::string(name) + ": greedy decoding equals the float64 reference's argmax chain for " +
                               std::to_string(agreed) + " of 64 tokens (prompt " + std::to_string(attempt + 1) +
                               ", smallest top-2 gap " + sci(smallest_gap) + ")");
        return;
    }
    check(false, std::string(name) + ": no prompt of 20 gives a top-2 gap of at least 1e-3 over 64 greedy tokens");
}

// Micro models of each family (random F32 weights) against the float64 reference: the whole prompt
// in one step and token by token (the decode path), past the sliding window.
void test_families() {
    for (const char *name : {"micro-qwen3", "micro-gemma2", "micro-gemma3", "micro-llama-swa", "micro-phi3",
                             "micro-phi3-swa", "micro-mixtral", "micro-qwen3moe"}) {
        const llcuda::tools::FamilyShape &shape = *llcuda::tools::find_family_shape(name);
        const std::string path = "/tmp/llcuda-test-cpu-" + std::to_string(getpid()) + "-" + name + ".gguf";
        const int32_t V = 96;
        family_reference::write_micro_model(shape, V, path, g_rng);
        const llcuda::tools::GgufFile file(path);
        const llcuda::tools::GgufModelSpec spec = llcuda::tools::model_spec_from_gguf(file);
        const family_reference::Reference reference(file, spec.spec);
        llcuda_backend *backend = nullptr;
        llcuda_model *model = nullptr;
        llcuda_kv_cache *cache = nullptr;
        const bool loaded = llcuda_backend_create(LLCUDA_BACKEND_CPU, 0, 2, &backend) == LLCUDA_OK &&
                            llcuda_model_load(backend, path.c_str(), &spec.spec, &model) == LLCUDA_OK &&
                            llcuda_kv_cache_create(model, 16, 8, LLCUDA_TYPE_F16, &cache) == LLCUDA_OK;
        check(loaded, std::string(name) + " loads" + (loaded ? "" : std::string(": ") + llcuda_last_error()));
        if (loaded) {
            std::uniform_int_distribution<int32_t> tok(0, V - 1);
            std::vector<SeqRun> seqs(1);
            seqs[0].tokens.resize(3 * std::max(shape.sliding_window, 16));
            for (int32_t &t : seqs[0].tokens) t = tok(g_rng);
            for (int32_t b = 15; b >= 0; --b) seqs[0].blocks.push_back(b);  // scrambled: last block first
            std::vector<double> want;
            for (const auto &row : reference.logits(seqs[0].tokens)) want.insert(want.end(), row.begin(), row.end());
            for (int32_t chunk : {1 << 20, 1}) {
                const auto got = run_logits(model, cache, V, seqs, chunk, 16);
                const double err = got.size() == 1 && got[0].size() == want.size()
                                       ? rel_l2(want, std::vector<double>(got[0].begin(), got[0].end()))
                                       : 1e9;
                check(err < 2e-5, std::string(name) + (chunk == 1 ? " token by token" : " whole prompt") + " (" +
                                      std::to_string(seqs[0].tokens.size()) +
                                      " tokens) logits vs float64 reference: rel L2 " + sci(err));
                if (chunk == 1 && shape.sliding_window > 0) {
                    std::vector<double> unwindowed;
                    for (const auto &row : reference.logits(seqs[0].tokens, 0))
                        unwindowed.insert(unwindowed.end(), row.begin(), row.end());
                    const double apart =
                        got.size() == 1 ? rel_l2(unwindowed, std::vector<double>(got[0].begin(), got[0].end())) : 0;
                    check(apart > 1e-2, std::string(name) + ": the sliding window changes the logits (rel L2 " +
                                            sci(apart) + " from the reference without it)");
                }
            }
            greedy_chain_check(model, cache, reference, V, name);
        }
        llcuda_spec_refusal_checks(backend, path, spec.spec, name);
        llcuda_kv_cache_free(cache);
        llcuda_model_free(model);
        llcuda_backend_free(backend);
        std::remove(path.c_str());
    }
}

// LongRoPE's switch (phi3): a run whose context is at most the original one (256) rotates by the
// short factors, a longer one by the long factors at every position; both against the float64
// reference, and the two differ. A LongRoPE spec without its factors or original context is refused.
void test_phi3_longrope() {
    const llcuda::tools::FamilyShape &shape = *llcuda::tools::find_family_shape("micro-phi3");
    const std::string path = "/tmp/llcuda-test-cpu-" + std::to_string(getpid()) + "-longrope.gguf";
    const int32_t V = 96;
    family_reference::write_micro_model(shape, V, path, g_rng);
    const llcuda::tools::GgufFile file(path);
    std::vector<int32_t> tokens(24);
    for (int32_t &t : tokens) t = std::uniform_int_distribution<int32_t>(0, V - 1)(g_rng);
    llcuda_backend *backend = nullptr;
    check(llcuda_backend_create(LLCUDA_BACKEND_CPU, 0, 2, &backend) == LLCUDA_OK, "CPU backend for LongRoPE");
    std::vector<std::vector<float>> runs;
    for (int32_t n_ctx : {shape.rope_orig_ctx, shape.rope_orig_ctx + 1}) {
        const llcuda::tools::GgufModelSpec spec = llcuda::tools::model_spec_from_gguf(file, n_ctx);
        const char *factors = n_ctx > shape.rope_orig_ctx ? "long" : "short";
        std::vector<double> want;
        for (const auto &row : family_reference::Reference(file, spec.spec).logits(tokens))
            want.insert(want.end(), row.begin(), row.end());
        llcuda_model *model = nullptr;
        llcuda_kv_cache *cache = nullptr;
        const bool loaded = llcuda_model_load(backend, path.c_str(), &spec.spec, &model) == LLCUDA_OK &&
                            llcuda_kv_cache_create(model, 8, 8, LLCUDA_TYPE_F16, &cache) == LLCUDA_OK;
        check(loaded, std::string("micro-phi3 at context ") + std::to_string(n_ctx) + " loads");
        if (loaded) {
            std::vector<SeqRun> seqs(1);
            seqs[0].tokens = tokens;
            seqs[0].blocks = {3, 1, 2, 0};
            const auto got = run_logits(model, cache, V, seqs, 1 << 20, 4);
            const double err = got.size() == 1 && got[0].size() == want.size()
                                   ? rel_l2(want, std::vector<double>(got[0].begin(), got[0].end()))
                                   : 1e9;
            check(err < 2e-5, std::string("micro-phi3 at context ") + std::to_string(n_ctx) + " (" + factors +
                                  " LongRoPE factors) vs float64 reference: rel L2 " + sci(err));
            if (got.size() == 1) runs.push_back(got[0]);
            // Phi-3.5 states both LongRoPE and a window (262144) beyond its context: its layers all
            // slide, and a sliding layer rotates as the model does, factors and magnitude included.
            llcuda_model_spec windowed = spec.spec;
            windowed.sliding_window = 1 << 20;
            llcuda_model *wmodel = nullptr;
            llcuda_kv_cache *wcache = nullptr;
            if (llcuda_model_load(backend, path.c_str(), &windowed, &wmodel) == LLCUDA_OK &&
                llcuda_kv_cache_create(wmodel, 8, 8, LLCUDA_TYPE_F16, &wcache) == LLCUDA_OK) {
                const auto wgot = run_logits(wmodel, wcache, V, seqs, 1 << 20, 4);
                check(wgot == got, std::string("micro-phi3 at context ") + std::to_string(n_ctx) +
                                       " with a window beyond the context gives the same logits (" + factors +
                                       " factors)");
            } else {
                check(false, std::string("micro-phi3 with a window loads: ") + llcuda_last_error());
            }
            llcuda_kv_cache_free(wcache);
            llcuda_model_free(wmodel);
        }
        if (n_ctx > shape.rope_orig_ctx) {
            llcuda_model_spec bad = spec.spec;
            std::vector<llcuda_tensor_desc> fewer;
            for (int32_t i = 0; i < bad.n_tensors; ++i)
                if (std::strcmp(bad.tensors[i].name, "rope_factors_long.weight") != 0) fewer.push_back(bad.tensors[i]);
            bad.tensors = fewer.data();
            bad.n_tensors = static_cast<int32_t>(fewer.size());
            llcuda_model *refused = nullptr;
            check(
                llcuda_model_load(backend, path.c_str(), &bad, &refused) == LLCUDA_ERR_INVALID_ARGUMENT &&
                    std::strstr(llcuda_last_error(), "rope_factors_long.weight") != nullptr,
                "micro-phi3: LongRoPE past the original context without rope_factors_long.weight is refused naming it");
            bad = spec.spec;
            bad.rope_orig_ctx = 0;
            check(llcuda_model_load(backend, path.c_str(), &bad, &refused) == LLCUDA_ERR_INVALID_ARGUMENT &&
                      std::strstr(llcuda_last_error(), "rope_orig_ctx") != nullptr,
                  "micro-phi3: LongRoPE without rope_orig_ctx is refused naming it");
        }
        llcuda_kv_cache_free(cache);
        llcuda_model_free(model);
    }
    if (runs.size() == 2) {
        const double apart = rel_l2(std::vector<double>(runs[0].begin(), runs[0].end()),
                                    std::vector<double>(runs[1].begin(), runs[1].end()));
        check(apart > 1e-2,
              "micro-phi3: long and short LongRoPE factors give different logits (rel L2 " + sci(apart) + ")");
    }
    llcuda_backend_free(backend);
    std::remove(path.c_str());
}

}  // namespace

// ---------------------------------------------------------------- llama-quantize mixes vs float64

// The float64 reference forward reproduces the project's exact reference files.
void test_reference_forward(const std::string &testdata) {
    for (const char *name : {"micro-llama-Q4_K_M", "micro-llama-f16"}) {
        const std::string path = testdata + "/models/" + name + ".gguf";
        const test_gguf::Model model = test_gguf::Reader(path).read();
        std::vector<int32_t> tokens;
        std::vector<std::vector<double>> rows;
        if (!test_gguf::read_reference(testdata + "/models/reference/" + name + ".p1.exact.txt.gz", tokens, rows)) {
            check(false, std::string("read the exact reference of ") + name);
            continue;
        }
        const std::vector<std::vector<double>> got = test_reference::LlamaReference(path, model).logits(tokens);
        std::vector<double> r, g;
        for (size_t i = 0; i < rows.size() && i < got.size(); ++i) {
            r.insert(r.end(), rows[i].begin(), rows[i].end());
            g.insert(g.end(), got[i].begin(), got[i].end());
        }
        const double err = got.size() == rows.size() ? rel_l2(r, g) : 1e9;
        check(err < 1e-6, std::string("the float64 reference forward reproduces ") + name + ".p1.exact (rel L2 " +
                              std::to_string(err) + ")");
    }
}

// The type llama-quantize writes for a tensor that needs a fallback, per mix, on rows of 576.
struct Fallback {
    const char *mix, *tensor, *type;
};
constexpr Fallback kFallbacks[] = {
    {"Q2_K", "blk.0.attn_q.weight", "IQ4_NL"},
    {"Q3_K_S", "blk.0.attn_q.weight", "IQ4_NL"},
    {"Q3_K_M", "blk.0.attn_output.weight", "Q5_0"},
    {"Q3_K_L", "blk.0.attn_v.weight", "Q5_1"},
    {"Q4_K_S", "blk.0.ffn_gate.weight", "Q5_0"},
    {"Q4_K_M", "blk.1.attn_v.weight", "Q8_0"},
    {"Q5_K_S", "blk.0.attn_k.weight", "Q5_1"},
    {"Q5_K_M", "token_embd.weight", "Q5_1"},
    {"Q6_K", "blk.0.ffn_up.weight", "Q8_0"},
    {"IQ4_XS", "blk.0.attn_q.weight", "IQ4_NL"},
    {"Q4_K_M", "output.weight", "Q8_0"},
    {"Q4_K_M", "blk.1.ffn_down.weight", "Q6_K"},
};

// Every llama-quantize mix written by llcuda-synth (fresh random weights), on a shape whose rows
// are whole K-quant blocks and on one with rows of 576 (the fallback types): the engine's logits
// against the float64 forward of the same dequantized weights.
void test_quant_mixes(const std::string &testdata) {
    char exe[4096] = {0};
    const ssize_t len = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    const std::string dir =
        len > 0 ? std::string(exe, static_cast<size_t>(len)).substr(0, std::string(exe).rfind('/')) : ".";
    const std::string synth = dir + "/llcuda-synth";
    if (!exists(synth)) {
        check(false, "llcuda-synth beside the test program: " + synth);
        return;
    }
    const char *mixes[] = {"Q2_K",   "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K",
                           "IQ4_NL", "IQ4_XS", "Q4_0",   "Q4_1",   "Q5_0",   "Q5_1",   "Q8_0",   "F16",    "NF4"};
    for (const char *shape : {"micro", "micro-576"}) {
        for (const char *mix : mixes) {
            const std::string path =
                "/tmp/llcuda-test-" + std::to_string(::getpid()) + "-" + shape + "-" + mix + ".gguf";
            const std::string cmd = synth + " --shape " + shape + " --type " + mix + " --vocab " + testdata +
                                    "/models/micro-llama-f32.gguf --out " + path + " --seed " +
                                    std::to_string(g_rng()) + " > /dev/null";
            if (std::system(cmd.c_str()) != 0) {
                check(false, "llcuda-synth " + std::string(shape) + " " + mix);
                continue;
            }
            const std::string label = std::string(shape) + " " + mix;
            Loaded m;
            if (!load(path, m)) {
                check(false, "load " + label + ": " + llcuda_last_error());
                std::remove(path.c_str());
                continue;
            }
            if (std::string(shape) == "micro-576") {
                for (const Fallback &f : kFallbacks) {
                    if (std::string(f.mix) != mix) continue;
                    bool found = false;
                    for (size_t i = 0; i < m.gguf.names.size(); ++i) {
                        found = found || (m.gguf.names[i] == f.tensor &&
                                          type_traits(m.gguf.tensors[i].type)->name == std::string(f.type));
                    }
                    check(found, label + ": " + f.tensor + " is " + f.type + " as llama-quantize writes it");
                }
            }
            std::vector<int32_t> tokens(12);
            for (int32_t &t : tokens) t = static_cast<int32_t>(g_rng() % static_cast<uint64_t>(m.gguf.spec.n_vocab));
            const std::vector<std::vector<double>> ref = test_reference::LlamaReference(path, m.gguf).logits(tokens);
            llcuda_kv_cache *cache = nullptr;
            llcuda_kv_cache_create(m.model, 1, 16, LLCUDA_TYPE_F16, &cache);
            std::vector<SeqRun> seqs(1);
            seqs[0].tokens = tokens;
            seqs[0].blocks = {0};
            const std::vector<std::vector<float>> got =
                run_logits(m.model, cache, m.gguf.spec.n_vocab, seqs, 1 << 20, 1);
            llcuda_kv_cache_free(cache);
            std::vector<double> r, g;
            for (const auto &row : ref) r.insert(r.end(), row.begin(), row.end());
            if (!got.empty()) g.assign(got[0].begin(), got[0].end());
            const double err = g.size() == r.size() ? rel_l2(r, g) : 1e9;
            // F16 and NF4 take float activations (the others 8-bit ones): only summation order differs.
            const double bound = std::string(mix) == "F16" || std::string(mix) == "NF4" ? 1e-3 : 2.5e-2;
            check(err <= bound, label + " logits vs float64 of its dequantized weights: rel L2 " + std::to_string(err) +
                                    " <= " + std::to_string(bound));
            std::printf("  mix %-9s %-7s rel L2 %.4g\n", shape, mix, err);
            std::remove(path.c_str());
        }
    }
}

// Whole micro models with RoPE scaling (positions past the original context) and head sizes
// 80/96/112/256, every level of the CPU kernels, against the float64 forward pass.
void test_reference_models() {
    for (const reference_model::Config &cfg : reference_model::configs()) {
        const std::string path = "/tmp/llcuda-test-cpu-ref-" + std::to_string(getpid()) + ".bin";
        const reference_model::Model ref = reference_model::write(cfg, path, 5);
        std::vector<int32_t> tokens;
        tokens.reserve(static_cast<size_t>(cfg.n_ctx));
        for (int32_t i = 0; i < cfg.n_ctx; ++i) tokens.push_back(static_cast<int32_t>(g_rng() % cfg.n_vocab));
        const std::vector<std::vector<double>> want = reference_model::logits(ref, tokens);
        std::vector<double> r;
        for (const auto &row : want) r.insert(r.end(), row.begin(), row.end());
        llcuda_backend *backend = nullptr;
        llcuda_model *model = nullptr;
        const bool loaded = llcuda_backend_create(LLCUDA_BACKEND_CPU, 0, 2, &backend) == LLCUDA_OK &&
                            llcuda_model_load(backend, path.c_str(), &ref.spec, &model) == LLCUDA_OK;
        check(loaded, "load " + cfg.name + (loaded ? "" : std::string(": ") + llcuda_last_error()));
        for (SimdLevel level : loaded ? levels() : std::vector<SimdLevel>{}) {
            limit_cpu_simd_level(level);
            llcuda_kv_cache *cache = nullptr;
            const int32_t bs = 16, nb = (cfg.n_ctx + bs - 1) / bs;
            llcuda_kv_cache_create(model, nb, bs, LLCUDA_TYPE_F16, &cache);
            std::vector<SeqRun> seqs(1);
            seqs[0].tokens = tokens;
            for (int32_t i = 0; i < nb; ++i) seqs[0].blocks.push_back(i);
            const std::vector<std::vector<float>> got = run_logits(model, cache, cfg.n_vocab, seqs, 40, nb);
            llcuda_kv_cache_free(cache);
            const std::vector<double> g =
                got.empty() ? std::vector<double>{} : std::vector<double>(got[0].begin(), got[0].end());
            const double err = g.size() == r.size() ? rel_l2(r, g) : 1e9;
            check(err <= 5e-4, cfg.name + " (" + simd_level_name(level) + "): logits of " +
                                   std::to_string(tokens.size()) + " positions vs float64: rel L2 " +
                                   std::to_string(err) + " <= 5e-4");
        }
        limit_cpu_simd_level(cpu_simd_level_supported());
        llcuda_model_free(model);
        llcuda_backend_free(backend);
        std::remove(path.c_str());
    }
}

// A spec whose RoPE scaling the library cannot honour is refused, naming the field or tensor.
void test_rope_scaling_refusals() {
    reference_model::Config cfg = reference_model::configs()[0];
    const std::string path = "/tmp/llcuda-test-cpu-refuse-" + std::to_string(getpid()) + ".bin";
    reference_model::Model ref = reference_model::write(cfg, path, 3);
    llcuda_backend *backend = nullptr;
    llcuda_backend_create(LLCUDA_BACKEND_CPU, 0, 1, &backend);
    auto refused = [&](llcuda_model_spec spec, llcuda_status want, const char *needle, const std::string &what) {
        llcuda_model *model = nullptr;
        const llcuda_status st = llcuda_model_load(backend, path.c_str(), &spec, &model);
        check(st == want && model == nullptr && std::strstr(llcuda_last_error(), needle) != nullptr,
              what + " (" + llcuda_last_error() + ")");
        llcuda_model_free(model);
    };
    llcuda_model_spec s = ref.spec;
    s.rope_scaling = 9;
    refused(s, LLCUDA_ERR_UNSUPPORTED, "rope_scaling", "an unknown RoPE scaling type is refused");
    std::vector<llcuda_tensor_desc> without(ref.tensors);
    without.erase(std::find_if(without.begin(), without.end(),
                               [](const llcuda_tensor_desc &d) { return std::string(d.name) == "rope_freqs.weight"; }));
    s = ref.spec;
    s.tensors = without.data();
    s.n_tensors = static_cast<int32_t>(without.size());
    refused(s, LLCUDA_ERR_INVALID_ARGUMENT, "rope_freqs.weight", "llama3 scaling without rope_freqs.weight is refused");
    s = ref.spec;
    s.yarn_ext_factor = 1.0f;
    refused(s, LLCUDA_ERR_INVALID_ARGUMENT, "yarn_ext_factor", "YaRN fields without YaRN scaling are refused");
    s = ref.spec;
    s.rope_scaling = LLCUDA_ROPE_SCALING_YARN;
    s.yarn_ext_factor = 1.0f;
    refused(s, LLCUDA_ERR_INVALID_ARGUMENT, "rope_orig_ctx", "YaRN without its original context is refused");
    llcuda_backend_free(backend);
    std::remove(path.c_str());
}

int main(int argc, char **argv) {
    const uint64_t seed = std::random_device{}() ^ (static_cast<uint64_t>(std::random_device{}()) << 32);
    g_rng.seed(seed);
    std::printf("llcuda-test-cpu: %s, seed %llu\n", llcuda_build_info(), static_cast<unsigned long long>(seed));
    const std::function<void()> tests[] = {test_half_conversions,
                                           test_dequantize_matches_float64_decoder,
                                           test_hand_built_blocks,
                                           test_quantize_round_trip_error,
                                           test_nf4_format,
                                           test_dot_kernels,
                                           test_gelu_kernels,
                                           test_silu_mul_kernels,
                                           test_tensor_parallel_shards,
                                           test_partition_plans,
                                           test_rms_norm_and_rope,
                                           test_attention_gqa,
                                           test_sampling,
                                           test_masked_sampling,
                                           test_gpu_sampling_algorithm,
                                           test_gpu_sampling_algorithm_masked,
                                           test_sampling_on_any_logits,
                                           test_abi_bad_input,
                                           test_load_progress,
                                           test_abi_nan_logits,
                                           test_model_logprobs,
                                           test_abi_model_logprobs,
                                           test_rope_frequencies,
                                           test_reference_models,
                                           test_rope_scaling_refusals,
                                           test_bert,
                                           test_lora};
    for (const auto &t : tests) {
        try {
            t();
        } catch (const std::exception &e) {
            check(false, std::string("exception: ") + e.what());
        }
    }
    const std::string testdata = find_testdata(argc, argv);
    if (testdata.empty()) {
        std::printf("test data not found: whole-model checks skipped (pass its path as argv[1])\n");
    } else {
        try {
            test_models(testdata);
            test_several_devices(testdata);
            test_invariance(testdata);
            test_model_file_changes(testdata);
            test_reference_forward(testdata);
            test_quant_mixes(testdata);
            test_families();
            test_phi3_longrope();
        } catch (const std::exception &e) {
            check(false, std::string("exception: ") + e.what());
        }
    }
    std::printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
