#include "sampling.h"

#include <algorithm>
#include <cmath>

#include "rng.h"

namespace llcuda {

namespace {

void apply_penalties(float *logits, const llcuda_sampling_params &p, const int32_t *history, int32_t n_history,
                     std::vector<int32_t> &counts) {
    const bool active = p.repetition_penalty != 1.0f || p.frequency_penalty != 0.0f || p.presence_penalty != 0.0f;
    if (!active || n_history == 0) return;
    for (int32_t i = 0; i < n_history; ++i) ++counts[static_cast<size_t>(history[i])];
    for (int32_t i = 0; i < n_history; ++i) {
        const int32_t token = history[i];
        const int32_t count = counts[static_cast<size_t>(token)];
        if (count == 0) continue;  // already penalized
        float &logit = logits[token];
        logit = logit > 0.0f ? logit / p.repetition_penalty : logit * p.repetition_penalty;
        logit -= static_cast<float>(count) * p.frequency_penalty + p.presence_penalty;
        counts[static_cast<size_t>(token)] = 0;
    }
}

SampledToken greedy(const float *logits, int32_t n_vocab) {
    int32_t best = 0;
    for (int32_t i = 1; i < n_vocab; ++i) {
        if (logits[i] > logits[best]) best = i;
    }
    double sum = 0.0;
    for (int32_t i = 0; i < n_vocab; ++i) sum += std::exp(static_cast<double>(logits[i]) - logits[best]);
    return {best, static_cast<float>(-std::log(sum))};
}

}  // namespace

SampledToken Sampler::sample(float *logits, int32_t n_vocab, const llcuda_sampling_params &p, const int32_t *history,
                             int32_t n_history, int32_t position) {
    if (counts_.size() != static_cast<size_t>(n_vocab)) counts_.assign(static_cast<size_t>(n_vocab), 0);
    apply_penalties(logits, p, history, n_history, counts_);
    if (p.temperature <= 0.0f) return greedy(logits, n_vocab);

    candidates_.resize(static_cast<size_t>(n_vocab));
    for (int32_t i = 0; i < n_vocab; ++i) candidates_[static_cast<size_t>(i)] = {logits[i] / p.temperature, i};
    auto more_probable = [](const std::pair<float, int32_t> &a, const std::pair<float, int32_t> &b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    };
    size_t kept = candidates_.size();
    if (p.top_k > 0 && static_cast<size_t>(p.top_k) < kept) {
        kept = static_cast<size_t>(p.top_k);
        std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(kept), candidates_.end(),
                          more_probable);
    } else {
        std::sort(candidates_.begin(), candidates_.end(), more_probable);
    }

    // Probabilities relative to the best candidate (exp(0) = 1), summed in double.
    const float top = candidates_[0].first;
    std::vector<double> &probs = probs_;
    probs.resize(kept);
    double total = 0.0;
    for (size_t i = 0; i < kept; ++i) {
        probs[i] = std::exp(static_cast<double>(candidates_[i].first) - top);
        total += probs[i];
    }
    if (p.top_p < 1.0f) {
        double cumulative = 0.0;
        size_t n = 0;
        while (n < kept) {
            cumulative += probs[n++];
            if (cumulative >= p.top_p * total) break;
        }
        kept = n;
    }
    if (p.min_p > 0.0f) {
        size_t n = 1;
        while (n < kept && probs[n] >= p.min_p * probs[0]) ++n;
        kept = n;
    }
    total = 0.0;
    for (size_t i = 0; i < kept; ++i) total += probs[i];

    const double threshold = static_cast<double>(sampling_uniform(p.seed, position)) * total;
    double cumulative = 0.0;
    size_t chosen = kept - 1;
    for (size_t i = 0; i < kept; ++i) {
        cumulative += probs[i];
        if (cumulative > threshold) {
            chosen = i;
            break;
        }
    }
    return {candidates_[chosen].second, static_cast<float>(std::log(probs[chosen] / total))};
}

}  // namespace llcuda
