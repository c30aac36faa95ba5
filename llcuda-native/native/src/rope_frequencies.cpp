#include "rope_frequencies.h"

#include <algorithm>
#include <cmath>

namespace llcuda {

namespace {

constexpr double kPi = 3.14159265358979323846;

// The pair index at which a frequency turns `rotations` times over the original context
// (YaRN's correction dimension).
double yarn_correction_pair(int32_t rope_dim, int32_t orig_ctx, double rotations, double base) {
    return rope_dim * std::log(orig_ctx / (rotations * 2.0 * kPi)) / (2.0 * std::log(base));
}

float factor_at(const std::vector<float> &factors, int32_t p) {
    return factors.empty() ? 1.0f : factors[static_cast<size_t>(p)];
}

}  // namespace

RopeFrequencies rope_frequencies(const ModelSpec &s) {
    RopeFrequencies r;
    const int32_t pairs = s.rope_dim / 2;
    const bool yarn = s.rope_scaling == LLCUDA_ROPE_SCALING_YARN && s.yarn_ext_factor != 0.0f;
    // Pairs below `low` keep their own (extrapolated) frequency, pairs above `high` take the
    // interpolated one, and a linear ramp blends them in between.
    double low = 0.0, high = 0.0;
    if (yarn) {
        low = std::max(0.0,
                       std::floor(yarn_correction_pair(s.rope_dim, s.rope_orig_ctx, s.yarn_beta_fast, s.rope_theta)));
        high = std::min(s.rope_dim - 1.0,
                        std::ceil(yarn_correction_pair(s.rope_dim, s.rope_orig_ctx, s.yarn_beta_slow, s.rope_theta)));
    }
    r.freq.resize(static_cast<size_t>(pairs));
    for (int32_t p = 0; p < pairs; ++p) {
        const double extrapolated =
            std::pow(static_cast<double>(s.rope_theta), -2.0 * p / s.rope_dim) / factor_at(s.rope_factors, p);
        double scale = s.rope_freq_scale;
        if (yarn) {
            const double ramp = 1.0 - std::clamp((p - low) / std::max(0.001, high - low), 0.0, 1.0);
            const double mix = ramp * s.yarn_ext_factor;
            scale = s.rope_freq_scale * (1.0 - mix) + mix;
        }
        r.freq[static_cast<size_t>(p)] = extrapolated * scale;
    }
    r.mscale = s.rope_attn_factor;
    // YaRN's magnitude correction for a context stretched by factor = 1 / rope_freq_scale.
    if (yarn && s.rope_freq_scale < 1.0f) r.mscale *= 1.0 + 0.1 * std::log(1.0 / s.rope_freq_scale);
    return r;
}

RopeFrequencies rope_frequencies_sliding(const ModelSpec &s) {
    // Sliding layers without a RoPE of their own (Mistral, phi3 with a window) rotate as the model
    // does, its scaling included (phi-3.5's LongRoPE factors and magnitude).
    if (s.rope_theta_sliding == s.rope_theta && s.rope_freq_scale_sliding == s.rope_freq_scale)
        return rope_frequencies(s);
    RopeFrequencies r;
    r.freq.resize(static_cast<size_t>(s.rope_dim / 2));
    for (int32_t p = 0; p < s.rope_dim / 2; ++p) {
        r.freq[static_cast<size_t>(p)] =
            std::pow(static_cast<double>(s.rope_theta_sliding), -2.0 * p / s.rope_dim) * s.rope_freq_scale_sliding;
    }
    return r;
}

}  // namespace llcuda
