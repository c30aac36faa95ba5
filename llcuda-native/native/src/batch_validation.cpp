#include "batch_validation.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "error.h"
#include "handles.h"

namespace llcuda {

namespace {

std::string at(const char *field, int64_t index) {
    return std::string("batch.") + field + "[" + std::to_string(index) + "]";
}

// The ranges of llcuda.h's llcuda_sampling_params (the Java SamplingParams checks the same).
void check_sampling(const llcuda_sampling_params &p, int32_t seq) {
    const std::string where = "batch.sampling[" + std::to_string(seq) + "].";
    auto value = [](float v) { return std::isnan(v) ? std::string("NaN") : std::to_string(v); };
    require(std::isfinite(p.temperature) && p.temperature >= 0.0f,
            where + "temperature " + value(p.temperature) + " must be finite and >= 0 (0: greedy)");
    require(p.top_k >= 0, where + "top_k " + std::to_string(p.top_k) + " must be >= 0 (0: off)");
    require(p.top_p > 0.0f && p.top_p <= 1.0f, where + "top_p " + value(p.top_p) + " must be in (0, 1] (1: off)");
    require(p.min_p >= 0.0f && p.min_p <= 1.0f, where + "min_p " + value(p.min_p) + " must be in [0, 1] (0: off)");
    require(std::isfinite(p.repetition_penalty) && p.repetition_penalty > 0.0f,
            where + "repetition_penalty " + value(p.repetition_penalty) + " must be finite and > 0 (1: off)");
    require(std::isfinite(p.frequency_penalty),
            where + "frequency_penalty " + value(p.frequency_penalty) + " must be finite");
    require(std::isfinite(p.presence_penalty),
            where + "presence_penalty " + value(p.presence_penalty) + " must be finite");
}

// Splits the tokens into per-sequence spans: contiguous, consecutive positions, known ids.
void read_spans(const llcuda_batch &b, const ModelSpec &spec, StepBatch &out) {
    out.seqs.assign(static_cast<size_t>(b.n_seqs), SeqSpan{});
    std::vector<bool> seen(static_cast<size_t>(b.n_seqs), false);
    for (int32_t i = 0; i < b.n_tokens; ++i) {
        const int32_t token = b.tokens[i], pos = b.positions[i], seq = b.seq_ids[i];
        require(token >= 0 && token < spec.n_vocab, at("tokens", i) + " = " + std::to_string(token) +
                                                        " is outside the vocabulary [0, " +
                                                        std::to_string(spec.n_vocab) + ")");
        require(seq >= 0 && seq < b.n_seqs, at("seq_ids", i) + " = " + std::to_string(seq) +
                                                " is outside [0, n_seqs = " + std::to_string(b.n_seqs) + ")");
        require(pos >= 0 && pos < spec.n_ctx, at("positions", i) + " = " + std::to_string(pos) +
                                                  " is outside the context [0, " + std::to_string(spec.n_ctx) + ")");
        SeqSpan &span = out.seqs[static_cast<size_t>(seq)];
        if (i > 0 && b.seq_ids[i - 1] == seq) {
            require(pos == b.positions[i - 1] + 1, at("positions", i) + " = " + std::to_string(pos) +
                                                       " does not follow " + std::to_string(b.positions[i - 1]) +
                                                       " of the same sequence");
            ++span.count;
            continue;
        }
        require(!seen[static_cast<size_t>(seq)], "tokens of sequence " + std::to_string(seq) +
                                                     " are not contiguous in the batch (again at token " +
                                                     std::to_string(i) + ")");
        seen[static_cast<size_t>(seq)] = true;
        span.first = i;
        span.count = 1;
        span.start_pos = pos;
    }
    for (int32_t s = 0; s < b.n_seqs; ++s) {
        require(seen[static_cast<size_t>(s)], "sequence " + std::to_string(s) + " has no tokens in the batch");
    }
}

// Every block of positions [0, end_pos) must be in the cache; no two tokens write one slot.
void check_block_tables(const llcuda_batch &b, int32_t n_blocks, int32_t block_size, StepBatch &out) {
    std::vector<int64_t> written;
    written.reserve(static_cast<size_t>(b.n_tokens));
    for (int32_t s = 0; s < b.n_seqs; ++s) {
        SeqSpan &span = out.seqs[static_cast<size_t>(s)];
        span.blocks = b.block_tables + static_cast<int64_t>(s) * b.max_blocks_per_seq;
        const int64_t needed = (static_cast<int64_t>(span.end_pos()) + block_size - 1) / block_size;
        require(needed <= b.max_blocks_per_seq,
                "sequence " + std::to_string(s) + " reaches position " + std::to_string(span.end_pos() - 1) +
                    ", which needs " + std::to_string(needed) + " blocks of " + std::to_string(block_size) +
                    ", but max_blocks_per_seq is " + std::to_string(b.max_blocks_per_seq));
        for (int64_t j = 0; j < needed; ++j) {
            const int32_t block = span.blocks[j];
            require(block >= 0 && block < n_blocks,
                    at("block_tables", static_cast<int64_t>(s) * b.max_blocks_per_seq + j) + " = " +
                        std::to_string(block) + " (sequence " + std::to_string(s) + ", block " + std::to_string(j) +
                        ") is outside the cache [0, " + std::to_string(n_blocks) + ")");
        }
        for (int32_t p = span.start_pos; p < span.end_pos(); ++p) {
            written.push_back(static_cast<int64_t>(span.blocks[p / block_size]) * block_size + p % block_size);
        }
    }
    std::sort(written.begin(), written.end());
    const auto dup = std::adjacent_find(written.begin(), written.end());
    require(dup == written.end(), "two tokens of the batch write the same KV cache slot (block " +
                                      std::to_string(dup == written.end() ? 0 : *dup / block_size) + ", slot " +
                                      std::to_string(dup == written.end() ? 0 : *dup % block_size) + ")");
}

void read_sampling(const llcuda_batch &b, const ModelSpec &spec, StepBatch &out) {
    const bool any_sample = std::any_of(b.sample, b.sample + b.n_seqs, [](uint8_t v) { return v != 0; });
    require(!any_sample || b.sampling != nullptr, "batch.sampling is NULL but a sequence samples");
    if (b.history_offsets != nullptr) {
        require(b.history_offsets[0] >= 0, at("history_offsets", 0) + " is negative");
    }
    for (int32_t s = 0; s < b.n_seqs; ++s) {
        SeqSpan &span = out.seqs[static_cast<size_t>(s)];
        span.sample = b.sample[s] != 0;
        span.params = llcuda_sampling_params{0.0f, 0, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0};
        if (b.sampling != nullptr) span.params = b.sampling[s];
        if (span.sample) check_sampling(span.params, s);
        if (b.history_offsets == nullptr) continue;
        const int32_t begin = b.history_offsets[s], end = b.history_offsets[s + 1];
        require(end >= begin && end - begin <= spec.n_ctx,
                at("history_offsets", s + 1) + " = " + std::to_string(end) + " must be in [" + std::to_string(begin) +
                    ", " + std::to_string(static_cast<int64_t>(begin) + spec.n_ctx) +
                    "] (history at most n_ctx tokens)");
        if (end == begin) continue;
        require(b.history != nullptr,
                "batch.history is NULL but history_offsets give sequence " + std::to_string(s) + " tokens");
        for (int32_t i = begin; i < end; ++i) {
            require(b.history[i] >= 0 && b.history[i] < spec.n_vocab,
                    at("history", i) + " = " + std::to_string(b.history[i]) + " is outside the vocabulary");
        }
        span.history = b.history + begin;
        span.n_history = end - begin;
    }
}

void read_allowed_tokens(const llcuda_batch &b, const ModelSpec &spec, StepBatch &out) {
    if (b.allowed_tokens == nullptr) return;
    const int32_t words = (spec.n_vocab + 31) / 32;
    require(b.allowed_words == words, "batch.allowed_words = " + std::to_string(b.allowed_words) + " must be " +
                                          std::to_string(words) + " ((n_vocab + 31) / 32)");
    const uint32_t in_vocab = spec.n_vocab % 32 == 0 ? ~0u : ~(~0u << (spec.n_vocab % 32));  // of the last word
    for (int32_t s = 0; s < b.n_seqs; ++s) {
        const uint32_t *mask = b.allowed_tokens + static_cast<int64_t>(s) * words;
        SeqSpan &span = out.seqs[static_cast<size_t>(s)];
        const bool any =
            std::any_of(mask, mask + words - 1, [](uint32_t w) { return w != 0; }) || (mask[words - 1] & in_vocab) != 0;
        require(!span.sample || any, "batch.allowed_tokens of sequence " + std::to_string(s) + " allows no token");
        // A mask allowing every token is no constraint (and keeps the GPU's greedy fast path).
        const bool all = std::all_of(mask, mask + words - 1, [](uint32_t w) { return w == ~0u; }) &&
                         (mask[words - 1] & in_vocab) == in_vocab;
        span.allowed = all ? nullptr : mask;
    }
}

}  // namespace

StepBatch validate_batch(const llcuda_batch &b, const llcuda_step_output &o, const ModelSpec &spec, int32_t n_blocks,
                         int32_t block_size) {
    require(
        b.n_tokens >= 1 && b.n_tokens <= kMaxBatchTokens,
        "batch.n_tokens = " + std::to_string(b.n_tokens) + " is outside [1, " + std::to_string(kMaxBatchTokens) + "]");
    require(b.n_seqs >= 1 && b.n_seqs <= std::min(b.n_tokens, kMaxBatchSeqs),
            "batch.n_seqs = " + std::to_string(b.n_seqs) + " is outside [1, min(n_tokens, " +
                std::to_string(kMaxBatchSeqs) + ")]");
    require(b.tokens != nullptr && b.positions != nullptr && b.seq_ids != nullptr,
            "batch.tokens, batch.positions and batch.seq_ids must not be NULL");
    require(b.block_tables != nullptr && b.sample != nullptr, "batch.block_tables and batch.sample must not be NULL");
    const int64_t max_blocks = (static_cast<int64_t>(spec.n_ctx) + block_size - 1) / block_size;
    require(b.max_blocks_per_seq >= 1 && b.max_blocks_per_seq <= max_blocks,
            "batch.max_blocks_per_seq = " + std::to_string(b.max_blocks_per_seq) + " is outside [1, " +
                std::to_string(max_blocks) + "] (n_ctx / block_size, rounded up)");
    require(o.sampled != nullptr, "out.sampled must not be NULL");

    StepBatch out;
    out.n_tokens = b.n_tokens;
    out.tokens = b.tokens;
    out.positions = b.positions;
    out.seq_ids = b.seq_ids;
    out.max_blocks_per_seq = b.max_blocks_per_seq;
    read_spans(b, spec, out);
    check_block_tables(b, n_blocks, block_size, out);
    read_sampling(b, spec, out);
    read_allowed_tokens(b, spec, out);

    out.logits_rows = b.logits_rows;
    if (b.logits_rows != nullptr) {
        for (int32_t i = 0; i < b.n_tokens; ++i) out.n_logit_rows += b.logits_rows[i] != 0;
    }
    require(b.n_top_logprobs >= 0 && b.n_top_logprobs <= LLCUDA_MAX_TOP_LOGPROBS,
            "batch.n_top_logprobs = " + std::to_string(b.n_top_logprobs) + " is outside [0, " +
                std::to_string(LLCUDA_MAX_TOP_LOGPROBS) + "]");
    require(
        b.n_top_logprobs == 0 || (o.model_logprobs != nullptr && o.top_tokens != nullptr && o.top_logprobs != nullptr),
        "batch.n_top_logprobs = " + std::to_string(b.n_top_logprobs) +
            " needs out.model_logprobs, out.top_tokens and out.top_logprobs");
    out.n_top_logprobs = b.n_top_logprobs;
    out.logprob_seqs = b.logprob_seqs;
    if (out.n_logit_rows > 0) {
        const int64_t needed = static_cast<int64_t>(out.n_logit_rows) * spec.n_vocab;
        require(o.logits != nullptr && o.logits_capacity >= needed,
                std::to_string(out.n_logit_rows) + " logits rows need " + std::to_string(needed) +
                    " floats, but out.logits has capacity " +
                    std::to_string(o.logits != nullptr ? o.logits_capacity : 0));
    }
    return out;
}

void read_adapters(const llcuda_batch &b, const ModelState &model, StepBatch &out) {
    const bool stacked = b.adapter_stack_offsets != nullptr;
    if (b.seq_adapters == nullptr && !stacked) return;
    const std::string field = stacked ? "adapter_stack_offsets" : "seq_adapters";
    require(b.seq_adapters == nullptr || !stacked,
            "batch.seq_adapters and batch.adapter_stack_offsets are both set; set one of them");
    require(b.n_adapters >= 1 && b.n_adapters <= kMaxBatchSeqs && b.adapters != nullptr,
            "batch." + field + " is set, so batch.adapters must hold 1.." + std::to_string(kMaxBatchSeqs) +
                " adapters (n_adapters = " + std::to_string(b.n_adapters) +
                (b.adapters == nullptr ? ", adapters NULL)" : ")"));
    for (int32_t a = 0; a < b.n_adapters; ++a) {
        const llcuda_adapter *adapter = b.adapters[a];
        require(adapter != nullptr, at("adapters", a) + " is NULL");
        require(adapter->state.model.get() == &model, at("adapters", a) + " was loaded on another model");
    }
    if (!stacked) {
        for (size_t s = 0; s < out.seqs.size(); ++s) {
            const int32_t index = b.seq_adapters[s];
            require(index >= -1 && index < b.n_adapters,
                    at("seq_adapters", static_cast<int64_t>(s)) + " = " + std::to_string(index) +
                        " is outside [-1, n_adapters = " + std::to_string(b.n_adapters) + ")");
            if (index >= 0)
                out.seqs[s].adapters[out.seqs[s].n_adapters++] = {b.adapters[index]->state.impl.get(), 1.0f};
        }
        return;
    }
    const int32_t *offsets = b.adapter_stack_offsets;
    require(offsets[0] == 0, "batch.adapter_stack_offsets[0] = " + std::to_string(offsets[0]) + " must be 0");
    const int32_t n_seqs = static_cast<int32_t>(out.seqs.size());
    for (int32_t s = 0; s < n_seqs; ++s) {
        const int32_t n = offsets[s + 1] - offsets[s];
        require(n >= 0 && n <= LLCUDA_MAX_ADAPTER_STACK,
                at("adapter_stack_offsets", s + 1) + " - " + at("adapter_stack_offsets", s) + " = " +
                    std::to_string(n) + " adapters is outside [0, LLCUDA_MAX_ADAPTER_STACK = " +
                    std::to_string(LLCUDA_MAX_ADAPTER_STACK) + "]");
    }
    require(offsets[n_seqs] == 0 || (b.adapter_stack != nullptr && b.adapter_stack_scales != nullptr),
            "batch.adapter_stack_offsets lists " + std::to_string(offsets[n_seqs]) +
                " adapters, so batch.adapter_stack and batch.adapter_stack_scales must be set");
    for (int32_t s = 0; s < n_seqs; ++s) {
        SeqSpan &seq = out.seqs[static_cast<size_t>(s)];
        for (int32_t i = offsets[s]; i < offsets[s + 1]; ++i) {
            const int32_t index = b.adapter_stack[i];
            const float scale = b.adapter_stack_scales[i];
            require(index >= 0 && index < b.n_adapters,
                    at("adapter_stack", i) + " = " + std::to_string(index) +
                        " is outside [0, n_adapters = " + std::to_string(b.n_adapters) + ")");
            require(std::isfinite(scale),
                    at("adapter_stack_scales", i) + " = " + std::to_string(scale) + " is not finite");
            const BackendAdapter *adapter = b.adapters[index]->state.impl.get();
            for (int32_t k = 0; k < seq.n_adapters; ++k)
                require(seq.adapters[k].adapter != adapter, at("adapter_stack", i) + " = " + std::to_string(index) +
                                                                ": sequence " + std::to_string(s) +
                                                                " lists that adapter twice");
            seq.adapters[seq.n_adapters++] = {adapter, scale};
        }
    }
}

}  // namespace llcuda
