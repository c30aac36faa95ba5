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

bool is_allowed(const uint32_t *allowed, int32_t token) {
    return allowed == nullptr || (allowed[token >> 5] >> (token & 31) & 1u) != 0;
}

// A token may be drawn when its logit is finite and the sequence's mask (if any) allows it.
bool is_candidate(const float *logits, const uint32_t *allowed, int32_t token) {
    return std::isfinite(logits[token]) && is_allowed(allowed, token);
}

// The highest candidate logit (lowest id on ties) and its log-probability among the candidates.
SampledToken greedy(const float *logits, int32_t n_vocab, const uint32_t *allowed) {
    int32_t best = -1;
    for (int32_t i = 0; i < n_vocab; ++i) {
        if (is_candidate(logits, allowed, i) && (best < 0 || logits[i] > logits[best])) best = i;
    }
    if (best < 0) return {LLCUDA_SAMPLE_NO_FINITE_LOGIT, 0.0f};
    double sum = 0.0;
    for (int32_t i = 0; i < n_vocab; ++i) {
        if (is_candidate(logits, allowed, i)) sum += std::exp(static_cast<double>(logits[i]) - logits[best]);
    }
    return {best, static_cast<float>(-std::log(sum))};
}

}  // namespace

void model_logprobs(const float *logits, int32_t n_vocab, int32_t token, int32_t n_top, float *token_logprob,
                    int32_t *top_tokens, float *top_logprobs) {
    float top = -INFINITY;
    for (int32_t i = 0; i < n_vocab; ++i)
        if (std::isfinite(logits[i])) top = std::max(top, logits[i]);
    for (int32_t k = 0; k < n_top; ++k) {
        top_tokens[k] = -1;
        top_logprobs[k] = 0.0f;
    }
    *token_logprob = 0.0f;
    if (!std::isfinite(top)) return;  // no finite logit
    double sum = 0.0;
    for (int32_t i = 0; i < n_vocab; ++i)
        if (std::isfinite(logits[i])) sum += std::exp(static_cast<double>(logits[i]) - top);
    const double log_total = top + std::log(sum);
    if (token >= 0 && token < n_vocab && std::isfinite(logits[token]))
        *token_logprob = static_cast<float>(logits[token] - log_total);
    // The n_top largest by insertion into a sorted list (n_top <= 20).
    int32_t found = 0;
    for (int32_t i = 0; i < n_vocab && n_top > 0; ++i) {
        if (!std::isfinite(logits[i]) || (found == n_top && logits[i] <= logits[top_tokens[n_top - 1]])) continue;
        int32_t at = found < n_top ? found++ : n_top - 1;
        while (at > 0 && logits[top_tokens[at - 1]] < logits[i]) {
            top_tokens[at] = top_tokens[at - 1];
            --at;
        }
        top_tokens[at] = i;
    }
    for (int32_t k = 0; k < found; ++k) top_logprobs[k] = static_cast<float>(logits[top_tokens[k]] - log_total);
}

SampledToken Sampler::sample(float *logits, int32_t n_vocab, const llcuda_sampling_params &p, const int32_t *history,
                             int32_t n_history, int32_t position, const uint32_t *allowed) {
    if (counts_.size() != static_cast<size_t>(n_vocab)) counts_.assign(static_cast<size_t>(n_vocab), 0);
    apply_penalties(logits, p, history, n_history, counts_);
    if (p.temperature <= 0.0f) return greedy(logits, n_vocab, allowed);

    candidates_.clear();
    float top = -INFINITY;
    for (int32_t i = 0; i < n_vocab; ++i) {
        if (!is_candidate(logits, allowed, i)) continue;
        candidates_.emplace_back(logits[i] / p.temperature, i);
        top = std::max(top, logits[i] / p.temperature);
    }
    if (!std::isfinite(top)) return greedy(logits, n_vocab, allowed);  // no candidate, or scaled logits overflow
    auto more_probable = [](const std::pair<float, int32_t> &a, const std::pair<float, int32_t> &b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    };
    // Probability relative to the most probable candidate (exp(0) = 1).
    auto prob = [top](const std::pair<float, int32_t> &c) { return std::exp(static_cast<double>(c.first) - top); };

    // Only the sorted prefix the filters and the draw actually reach is sorted: the candidates
    // [0, sorted) are the most probable ones in order; `sort_prefix` extends that as needed.
    size_t n = candidates_.size(), sorted = 0;
    if (p.top_k > 0 && static_cast<size_t>(p.top_k) < n) {
        n = static_cast<size_t>(p.top_k);
        std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(n), candidates_.end(),
                          more_probable);
        sorted = n;
    }
    auto sort_prefix = [&](size_t need) {
        if (need <= sorted) return;
        const size_t m = std::min(n, std::max({need, 2 * sorted, size_t{64}}));
        auto first = candidates_.begin() + static_cast<std::ptrdiff_t>(sorted);
        auto mid = candidates_.begin() + static_cast<std::ptrdiff_t>(m),
             last = candidates_.begin() + static_cast<std::ptrdiff_t>(n);
        std::nth_element(first, mid - 1, last, more_probable);
        std::sort(first, mid, more_probable);
        sorted = m;
    };
    double total = 0.0;  // over the top-k set, the reference of top-p
    for (size_t i = 0; i < n; ++i) total += prob(candidates_[i]);
    if (p.min_p > 0.0f) {
        // min-p keeps p >= min_p * p_max (p_max = 1 here); every token it drops ranks after every
        // token it keeps, so dropping them before top-p (whose reference total stays) changes nothing.
        if (sorted > 0) {
            size_t cut = 1;
            while (cut < n && prob(candidates_[cut]) >= p.min_p) ++cut;
            n = cut;
        } else {
            const auto keep_end =
                std::partition(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(n),
                               [&](const std::pair<float, int32_t> &c) { return prob(c) >= p.min_p; });
            n = static_cast<size_t>(keep_end - candidates_.begin());
        }
    }
    double kept_total = 0.0;
    if (p.top_p < 1.0f) {
        size_t kept = 0;
        while (kept < n) {
            sort_prefix(kept + 1);
            kept_total += prob(candidates_[kept++]);
            if (kept_total >= p.top_p * total) break;
        }
        n = kept;
    } else {
        for (size_t i = 0; i < n; ++i) kept_total += prob(candidates_[i]);
    }

    const double threshold = static_cast<double>(sampling_uniform(p.seed, position)) * kept_total;
    double cumulative = 0.0;
    size_t chosen = n - 1;
    for (size_t i = 0; i < n; ++i) {
        sort_prefix(i + 1);
        cumulative += prob(candidates_[i]);
        if (cumulative > threshold) {
            chosen = i;
            break;
        }
    }
    sort_prefix(chosen + 1);
    return {candidates_[chosen].second, static_cast<float>(std::log(prob(candidates_[chosen]) / kept_total))};
}

}  // namespace llcuda
