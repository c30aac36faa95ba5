// LLCUDA_HD marks the functions that host and device code share: __host__ __device__ under nvcc,
// plain functions for the host compiler.
#pragma once

#if defined(__CUDACC__)
#define LLCUDA_HD __host__ __device__
#else
#define LLCUDA_HD
#endif
