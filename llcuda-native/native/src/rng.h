// The random draw used by sampling. It depends only on (seed, position), so a request gives the
// same output whether it runs alone, batched, preempted and recomputed, on the CPU or on a GPU.
#pragma once

#include <cstdint>

#include "host_device.h"

namespace llcuda {

LLCUDA_HD inline uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// Uniform in [0, 1) with 24 bits, identical on host and device.
LLCUDA_HD inline float sampling_uniform(uint64_t seed, int32_t position) {
    uint64_t bits = splitmix64(seed ^ splitmix64(static_cast<uint64_t>(position)));
    return static_cast<float>(bits >> 40) * (1.0f / 16777216.0f);
}

}  // namespace llcuda
