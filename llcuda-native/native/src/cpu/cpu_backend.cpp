// The CPU backend: the forward pass of llama/qwen2/qwen3/gemma2/gemma3/phi3/qwen3moe (dense or
// mixture-of-experts FFNs) over a mixed batch, weights read in place from the model's own host copy,
// K/V in the paged CPU cache, logits only for the rows that need them.
#include <sys/sysinfo.h>

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

#include "backend.h"
#include "cpu/attention.h"
#include "cpu/bert.h"
#include "cpu/cpu_features.h"
#include "cpu/kernels.h"
#include "cpu/kv_cache.h"
#include "cpu/lora.h"
#include "cpu/matmul.h"
#include "cpu/moe.h"
#include "cpu/ops.h"
#include "cpu/thread_pool.h"
#include "error.h"
#include "host_weights.h"
#include "quants.h"
#include "sampling.h"

namespace llcuda {

namespace {

const float *f32(const TensorRef &t) {
    return t.present() ? reinterpret_cast<const float *>(t.data) : nullptr;
}

// Buffers of one step, reused by the next (sized for the largest batch seen).
struct Scratch {
    std::vector<float> x, xn, q, k, v, att, tmp, gate, up, logits, row;
    std::vector<uint8_t> act;
};

class CpuModel final : public BackendModel {
  public:
    CpuModel(const ModelSpec &spec, const ModelFile &file, std::shared_ptr<ThreadPool> pool)
        : spec_(spec),
          weights_(spec_, file),
          rope_(rope_frequencies(spec_)),
          rope_sliding_(rope_frequencies_sliding(spec_)),
          pool_(std::move(pool)) {}

    uint64_t weight_bytes() const override { return weights_.bytes(); }

    uint64_t kv_cache_bytes(int32_t n_blocks, int32_t block_size, int32_t kv_type) const override {
        check_kv_type(kv_type);
        return CpuKvCache::bytes(spec_, n_blocks, block_size);
    }

    std::unique_ptr<BackendKvCache> create_kv_cache(int32_t n_blocks, int32_t block_size, int32_t kv_type) override {
        check_kv_type(kv_type);
        return std::make_unique<CpuKvCache>(spec_, n_blocks, block_size);
    }

    void step(BackendKvCache &cache, const StepBatch &batch, const StepResult &out) override {
        CpuKvCache *cpu_cache = dynamic_cast<CpuKvCache *>(&cache);
        if (cpu_cache == nullptr) fail(LLCUDA_ERR_INVALID_ARGUMENT, "the KV cache belongs to another backend");
        forward(*cpu_cache, batch);
        emit(batch, out);
    }

    void embed(const EmbedBatch &batch, float *out) override {
        bert_embed(kernels_for(cpu_simd_level()), *pool_, spec_, batch, bert_scratch_, out);
    }

    std::unique_ptr<BackendAdapter> load_adapter(AdapterSpec spec, const ModelFile &file) override {
        return std::make_unique<CpuAdapter>(std::move(spec), file);
    }

  private:
    static void check_kv_type(int32_t kv_type) {
        if (kv_type != LLCUDA_TYPE_F16) {
            fail(LLCUDA_ERR_UNSUPPORTED,
                 "the CPU backend keeps K/V in F32 and accepts kv_type F16 (1) only; Q8_0 K/V is a CUDA option");
        }
    }

    void forward(CpuKvCache &cache, const StepBatch &batch) {
        const CpuKernels &kernels = kernels_for(cpu_simd_level());
        const int64_t T = batch.n_tokens, E = spec_.n_embd, QD = spec_.q_dim(), KVD = spec_.kv_dim(), FF = spec_.n_ff;
        Scratch &s = scratch_;
        s.x.resize(T * E);
        s.xn.resize(T * E);
        s.q.resize(T * QD);
        s.k.resize(T * KVD);
        s.v.resize(T * KVD);
        s.att.resize(T * QD);
        s.tmp.resize(T * E);
        s.gate.resize(T * FF);
        s.up.resize(T * FF);
        const uint64_t embd_row = row_bytes(spec_.token_embd.type, E);
        for (int64_t t = 0; t < T; ++t) {
            dequantize_row(spec_.token_embd.type, spec_.token_embd.data + embd_row * batch.tokens[t],
                           s.x.data() + t * E, E);
        }
        if (spec_.embd_scale != 1.0f)
            for (float &v : s.x) v *= spec_.embd_scale;
        group_by_adapter(batch, lora_groups_);
        // The base product for the whole batch, then each adapter group's low-rank product.
        auto project = [&](int32_t il, LoraTarget target, const TensorRef &w, const float *bias, const float *x,
                           float *y) {
            matmul(kernels, *pool_, w, bias, x, T, y, s.act);
            if (!lora_groups_.empty()) add_lora(kernels, *pool_, lora_groups_, il, target, x, y, lora_scratch_);
        };
        for (int32_t il = 0; il < spec_.n_layer; ++il) {
            const LayerTensors &l = spec_.layers[static_cast<size_t>(il)];
            for (int64_t t = 0; t < T; ++t) rms_norm(&s.x[t * E], f32(l.attn_norm), &s.xn[t * E], E, spec_.rms_eps);
            project(il, LoraTarget::Q, l.wq, f32(l.bq), s.xn.data(), s.q.data());
            project(il, LoraTarget::K, l.wk, f32(l.bk), s.xn.data(), s.k.data());
            project(il, LoraTarget::V, l.wv, f32(l.bv), s.xn.data(), s.v.data());
            const int32_t hd = spec_.head_dim;
            const RopeFrequencies &layer_rope = spec_.layer_slides(il) ? rope_sliding_ : rope_;
            for (int64_t t = 0; t < T; ++t) {
                const int32_t pos = batch.positions[t];
                for (int32_t h = 0; h < spec_.n_head; ++h) {
                    float *qh = &s.q[t * QD + h * hd];
                    if (spec_.qk_norm) rms_norm(qh, f32(l.attn_q_norm), qh, hd, spec_.rms_eps);
                    rope(qh, spec_.rope_type, layer_rope, pos);
                }
                for (int32_t h = 0; h < spec_.n_head_kv; ++h) {
                    float *kh = &s.k[t * KVD + h * hd];
                    if (spec_.qk_norm) rms_norm(kh, f32(l.attn_k_norm), kh, hd, spec_.rms_eps);
                    rope(kh, spec_.rope_type, layer_rope, pos);
                }
                const int64_t slot = cache.slot(batch.seqs[static_cast<size_t>(batch.seq_ids[t])].blocks, pos);
                std::memcpy(cache.k(il, slot), &s.k[t * KVD], KVD * sizeof(float));
                std::memcpy(cache.v(il, slot), &s.v[t * KVD], KVD * sizeof(float));
            }
            attention(kernels, *pool_, spec_, batch, cache, il, s.q.data(), s.att.data());
            project(il, LoraTarget::O, l.wo, nullptr, s.att.data(), s.tmp.data());
            add_block_output(l.attn_post_norm, T);

            for (int64_t t = 0; t < T; ++t) rms_norm(&s.x[t * E], f32(l.ffn_norm), &s.xn[t * E], E, spec_.rms_eps);
            if (spec_.n_expert > 0) {
                moe_ffn(kernels, *pool_, spec_, l, s.xn.data(), T, s.tmp.data(), moe_scratch_, s.act);
            } else {
                project(il, LoraTarget::Gate, l.ffn_gate, nullptr, s.xn.data(), s.gate.data());
                project(il, LoraTarget::Up, l.ffn_up, nullptr, s.xn.data(), s.up.data());
                if (spec_.gelu_ffn) {
                    gelu_mul(kernels, s.gate.data(), s.up.data(), T * FF);
                } else {
                    kernels.silu_mul(s.gate.data(), s.up.data(), T * FF);
                }
                project(il, LoraTarget::Down, l.ffn_down, nullptr, s.gate.data(), s.tmp.data());
            }
            add_block_output(l.ffn_post_norm, T);
        }
        // Logits only for rows someone reads: flagged rows and each sampling sequence's last token.
        rows_.clear();
        for (int32_t t = 0; t < batch.n_tokens; ++t) {
            const SeqSpan &seq = batch.seqs[static_cast<size_t>(batch.seq_ids[t])];
            const bool flagged = batch.logits_rows != nullptr && batch.logits_rows[t] != 0;
            if (flagged || (seq.sample && t == seq.first + seq.count - 1)) rows_.push_back(t);
        }
        const int64_t R = static_cast<int64_t>(rows_.size());
        for (int64_t r = 0; r < R; ++r)
            rms_norm(&s.x[rows_[r] * E], f32(spec_.output_norm), &s.xn[r * E], E, spec_.rms_eps);
        s.logits.resize(R * spec_.n_vocab);
        if (R > 0) matmul(kernels, *pool_, spec_.output, nullptr, s.xn.data(), R, s.logits.data(), s.act);
        if (spec_.final_softcap > 0.0f) soft_cap(s.logits.data(), R * spec_.n_vocab, spec_.final_softcap);
    }

    // x += the block's output in tmp, first normalised by `post_norm` where the layer has one (gemma).
    void add_block_output(const TensorRef &post_norm, int64_t T) {
        Scratch &s = scratch_;
        const int64_t E = spec_.n_embd;
        if (post_norm.present()) {
            for (int64_t t = 0; t < T; ++t) rms_norm(&s.tmp[t * E], f32(post_norm), &s.tmp[t * E], E, spec_.rms_eps);
        }
        for (int64_t i = 0; i < T * E; ++i) s.x[i] += s.tmp[i];
    }

    void emit(const StepBatch &batch, const StepResult &out) {
        const int64_t V = spec_.n_vocab;
        auto row_of = [&](int32_t token) {
            return scratch_.logits.data() + (std::lower_bound(rows_.begin(), rows_.end(), token) - rows_.begin()) * V;
        };
        int64_t written = 0;
        for (int32_t t = 0; t < batch.n_tokens && out.logits != nullptr; ++t) {
            if (batch.logits_rows == nullptr || batch.logits_rows[t] == 0) continue;
            std::memcpy(out.logits + written * V, row_of(t), V * sizeof(float));
            ++written;
        }
        for (size_t s = 0; s < batch.seqs.size(); ++s) {
            const SeqSpan &seq = batch.seqs[s];
            out.sampled[s] = -1;
            if (out.logprobs != nullptr) out.logprobs[s] = 0.0f;
            int32_t *top_tokens = out.top_tokens + s * batch.n_top_logprobs;
            float *top_logprobs = out.top_logprobs + s * batch.n_top_logprobs;
            if (!seq.sample) {
                if (out.model_logprobs != nullptr)
                    model_logprobs(nullptr, 0, -1, batch.n_top_logprobs, &out.model_logprobs[s], top_tokens,
                                   top_logprobs);
                continue;
            }
            const float *raw = row_of(seq.first + seq.count - 1);
            scratch_.row.assign(raw, raw + V);
            const SampledToken token = sampler_.sample(scratch_.row.data(), spec_.n_vocab, seq.params, seq.history,
                                                       seq.n_history, seq.end_pos(), seq.allowed);
            out.sampled[s] = token.token;
            if (out.logprobs != nullptr) out.logprobs[s] = token.logprob;
            if (out.model_logprobs != nullptr) {
                const bool wanted = batch.wants_logprobs(s);  // unwanted: reported as for a sequence not sampled
                model_logprobs(wanted ? raw : nullptr, wanted ? spec_.n_vocab : 0, wanted ? token.token : -1,
                               batch.n_top_logprobs, &out.model_logprobs[s], top_tokens, top_logprobs);
            }
        }
    }

    ModelSpec spec_;
    HostWeights weights_;                  // after spec_: points spec_'s tensors at its bytes
    RopeFrequencies rope_, rope_sliding_;  // global layers, sliding-window layers
    std::shared_ptr<ThreadPool> pool_;
    Scratch scratch_;
    MoeScratch moe_scratch_;
    BertScratch bert_scratch_;
    std::vector<int32_t> rows_;
    Sampler sampler_;
    std::vector<LoraGroup> lora_groups_;
    LoraScratch lora_scratch_;
};

class CpuBackend final : public Backend {
  public:
    explicit CpuBackend(int32_t n_threads) : pool_(std::make_shared<ThreadPool>(n_threads)) {}

    llcuda_device_info info() const override {
        llcuda_device_info info{};
        std::strncpy(info.name, cpu_model_name(), sizeof info.name - 1);
        info.kind = LLCUDA_BACKEND_CPU;
        info.multiprocessors = pool_->size();
        struct sysinfo si {};
        if (::sysinfo(&si) == 0) {
            info.memory_total = static_cast<uint64_t>(si.totalram) * si.mem_unit;
            info.memory_free = static_cast<uint64_t>(si.freeram + si.bufferram) * si.mem_unit;
        }
        return info;
    }

    std::unique_ptr<BackendModel> load_model(const ModelSpec &spec, const ModelFile &file) override {
        return std::make_unique<CpuModel>(spec, file, pool_);
    }

  private:
    std::shared_ptr<ThreadPool> pool_;
};

}  // namespace

std::unique_ptr<Backend> create_cpu_backend(int32_t n_threads) {
    if (n_threads <= 0) n_threads = static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
    return std::make_unique<CpuBackend>(n_threads);
}

}  // namespace llcuda
