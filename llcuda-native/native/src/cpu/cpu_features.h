// Which SIMD level the CPU kernels run at, chosen once at run time from the CPU's features.
#pragma once

namespace llcuda {

enum class SimdLevel { Scalar, Avx2, Avx512 };

// The best level this CPU supports; LLCUDA_CPU_SIMD=scalar|avx2|avx512 in the environment
// lowers it (never above what the CPU has), e.g. to run the scalar reference path end to end.
SimdLevel cpu_simd_level();
const char *simd_level_name(SimdLevel level);
// "AMD EPYC ..." from /proc/cpuinfo, or "unknown CPU".
const char *cpu_model_name();

}  // namespace llcuda
