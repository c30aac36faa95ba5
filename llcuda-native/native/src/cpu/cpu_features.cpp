#include "cpu/cpu_features.h"

#include <cpuid.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace llcuda {

namespace {

// F16C (CPUID leaf 1, ECX bit 29) and AVX512-VNNI (leaf 7, ECX bit 11) read from CPUID: clang's
// __builtin_cpu_supports has no names for them (the OS-state checks come with AVX2's and AVX512F's).
bool cpuid_ecx_bit(unsigned leaf, unsigned bit) {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid_count(leaf, 0, &eax, &ebx, &ecx, &edx) != 0 && (ecx & (1u << bit)) != 0;
}

SimdLevel detect_supported() {
    __builtin_cpu_init();
    SimdLevel best = SimdLevel::Scalar;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpuid_ecx_bit(1, 29)) {
        best = SimdLevel::Avx2;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") && cpuid_ecx_bit(7, 11)) {
            best = SimdLevel::Avx512;
        }
    }
    return best;
}

SimdLevel lower(SimdLevel a, SimdLevel b) {
    return static_cast<int>(a) < static_cast<int>(b) ? a : b;
}

SimdLevel from_environment() {
    const SimdLevel best = cpu_simd_level_supported();
    const char *wanted = std::getenv("LLCUDA_CPU_SIMD");
    if (wanted == nullptr) return best;
    SimdLevel cap = best;
    if (std::strcmp(wanted, "scalar") == 0) cap = SimdLevel::Scalar;
    if (std::strcmp(wanted, "avx2") == 0) cap = SimdLevel::Avx2;
    return lower(cap, best);
}

std::atomic<int> &current_level() {
    static std::atomic<int> level{static_cast<int>(from_environment())};
    return level;
}

std::string read_model_name() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) == 0) {
            const size_t colon = line.find(':');
            if (colon != std::string::npos && colon + 2 <= line.size()) return line.substr(colon + 2);
        }
    }
    return "unknown CPU";
}

}  // namespace

SimdLevel cpu_simd_level_supported() {
    static const SimdLevel level = detect_supported();
    return level;
}

SimdLevel cpu_simd_level() {
    return static_cast<SimdLevel>(current_level().load());
}

void limit_cpu_simd_level(SimdLevel level) {
    current_level().store(static_cast<int>(lower(level, cpu_simd_level_supported())));
}

const char *simd_level_name(SimdLevel level) {
    switch (level) {
        case SimdLevel::Avx512:
            return "avx512";
        case SimdLevel::Avx2:
            return "avx2";
        default:
            return "scalar";
    }
}

const char *cpu_model_name() {
    static const std::string name = read_model_name();
    return name.c_str();
}

}  // namespace llcuda
