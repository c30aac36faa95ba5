// RoPE as one frequency per rotated pair and one magnitude, for the CPU and CUDA backends alike:
// pair p of a head at position pos turns by pos * freq[p] and is scaled by mscale. Linear scaling,
// the llama3 per-pair divisors (rope_freqs.weight) and YaRN's blend of interpolated and
// extrapolated frequencies are all linear in the position, so they fold into freq[p] here, once
// per model, as llama.cpp's RoPE defines them.
#pragma once

#include <vector>

#include "model_spec.h"

namespace llcuda {

struct RopeFrequencies {
    std::vector<double> freq;  // radians per position, pair p (rope_dim / 2 pairs)
    double mscale = 1.0;       // factor of the rotated dimensions' cos and sin
};

RopeFrequencies rope_frequencies(const ModelSpec &spec);
// The table of sliding-window layers (gemma2/3): their own base and linear scale, without the
// global layers' llama3 divisors or YaRN blend, as llama.cpp gives those layers.
RopeFrequencies rope_frequencies_sliding(const ModelSpec &spec);

}  // namespace llcuda
