// Which SIMD level the CPU kernels run at, chosen once at run time from the CPU's features.
#pragma once

namespace llcuda {

// Avx2 needs AVX2+FMA+F16C; Avx512 needs AVX-512 F/BW/VL/DQ and VNNI (Ice Lake, Zen 4 and later).
enum class SimdLevel { Scalar, Avx2, Avx512 };

// The best level this CPU supports; LLCUDA_CPU_SIMD=scalar|avx2|avx512 in the environment
// lowers it (never above what the CPU has), e.g. to run the scalar reference path end to end.
SimdLevel cpu_simd_level();
// Lowers (never raises above the CPU's) the level used from now on; tests use it to run the
// scalar reference path and every SIMD level through the same forward pass.
void limit_cpu_simd_level(SimdLevel level);
// The best level the CPU itself supports, ignoring any limit.
SimdLevel cpu_simd_level_supported();
const char *simd_level_name(SimdLevel level);
// "AMD EPYC ..." from /proc/cpuinfo, or "unknown CPU".
const char *cpu_model_name();

}  // namespace llcuda
