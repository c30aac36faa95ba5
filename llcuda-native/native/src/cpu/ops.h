// Element-wise and per-row operations of the forward pass (single-threaded: cheap next to the
// matrix products).
#pragma once

#include <cstdint>

#include "rope_frequencies.h"

namespace llcuda {

struct CpuKernels;

// y = x / sqrt(mean(x^2) + eps) * weight, one row of n.
void rms_norm(const float *x, const float *weight, float *y, int64_t n, float eps);

// Rotary embedding of one head vector in place. NORMAL rotates pairs (2i, 2i+1), NEOX pairs
// (i, i + rope_dim/2) with rope_dim = 2 * rope.freq.size(); angle pos * rope.freq[i], cos and sin
// times rope.mscale; dims >= rope_dim unchanged.
void rope(float *head, int32_t rope_type, const RopeFrequencies &rope, int32_t pos);

// gate = gelu(gate) * up with GELU's tanh approximation (kernels.gelu), n elements.
void gelu_mul(const CpuKernels &kernels, float *gate, const float *up, int64_t n);

// x = cap * tanh(x / cap), n elements (gemma2's logit soft-capping).
void soft_cap(float *x, int64_t n, float cap);

}  // namespace llcuda
