#include "cpu/cpu_features.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace llcuda {

namespace {

SimdLevel detect() {
    __builtin_cpu_init();
    SimdLevel best = SimdLevel::Scalar;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) {
        best = SimdLevel::Avx2;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
            best = SimdLevel::Avx512;
        }
    }
    const char *wanted = std::getenv("LLCUDA_CPU_SIMD");
    if (wanted == nullptr) return best;
    SimdLevel cap = best;
    if (std::strcmp(wanted, "scalar") == 0) cap = SimdLevel::Scalar;
    if (std::strcmp(wanted, "avx2") == 0) cap = SimdLevel::Avx2;
    return static_cast<int>(cap) < static_cast<int>(best) ? cap : best;
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

SimdLevel cpu_simd_level() {
    static const SimdLevel level = detect();
    return level;
}

const char *simd_level_name(SimdLevel level) {
    switch (level) {
    case SimdLevel::Avx512: return "avx512";
    case SimdLevel::Avx2: return "avx2";
    default: return "scalar";
    }
}

const char *cpu_model_name() {
    static const std::string name = read_model_name();
    return name.c_str();
}

}  // namespace llcuda
