#include "cuda-model.cuh"

#include <algorithm>
#include <cstring>

#include "dependent-launch.cuh"

namespace llcuda::cuda {
namespace {

constexpr size_t kTensorAlignment = 256;  // KV cache regions

// The index of a layer's projection's pair in an adapter's pair table.
int lora_pair(int layer, LoraTarget target) {
    return layer * kLoraTargets + static_cast<int>(target);
}

// The bucket a LoRA count is rounded up to for the decode graphs (0 stays 0): a graph's launches
// cover its bucket, so a graph serves every step whose counts fit and few are captured.
int lora_bucket(int n) {
    int bucket = n > 0 ? 1 : 0;
    while (bucket < n) bucket *= 2;
    return bucket;
}

}  // namespace

// ------------------------------------------------------------------------------- KV cache

CudaKvCache::Regions CudaKvCache::regions(const ModelSpec &spec, int32_t n_blocks, int32_t block_size,
                                          int32_t kv_type) {
    const uint64_t positions = static_cast<uint64_t>(n_blocks) * block_size;
    const uint64_t kv_dim = static_cast<uint64_t>(spec.kv_dim());
    auto aligned = [](uint64_t b) {
        return static_cast<size_t>((b + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment);
    };
    if (kv_type == LLCUDA_TYPE_F16) return {aligned(positions * kv_dim * sizeof(__half)), 0};
    if (kv_type == LLCUDA_TYPE_Q8_0 && kv_dim % 32 == 0)
        return {aligned(positions * kv_dim), aligned(positions * (kv_dim / 32) * sizeof(__half))};
    fail(LLCUDA_ERR_UNSUPPORTED,
         "CUDA backend: KV cache type " + std::to_string(kv_type) +
             " unsupported (F16, or Q8_0 when n_head_kv * head_dim is a multiple of 32; it is " +
             std::to_string(kv_dim) + ")");
}

uint64_t CudaKvCache::bytes(const ModelSpec &spec, int32_t n_blocks, int32_t block_size, int32_t kv_type) {
    const Regions r = regions(spec, n_blocks, block_size, kv_type);
    return 2ull * spec.n_layer * (r.values + r.scales);
}

CudaKvCache::CudaKvCache(const ModelSpec &spec, int32_t n_blocks, int32_t block_size, int32_t kv_type, uint64_t id)
    : n_blocks_(n_blocks),
      block_size_(block_size),
      kv_type_(kv_type),
      id_(id),
      regions_(regions(spec, n_blocks, block_size, kv_type)),
      memory_(bytes(spec, n_blocks, block_size, kv_type), "KV cache (" + std::to_string(n_blocks) + " blocks of " +
                                                              std::to_string(block_size) + " positions, " +
                                                              (kv_type == LLCUDA_TYPE_F16 ? "F16" : "Q8_0") + ")") {
    LLCUDA_CUDA_CHECK(cudaMemset(memory_.get(), 0, memory_.size()));
}

KvLayer CudaKvCache::layer(int i) const {
    uint8_t *base = memory_.as<uint8_t>() + static_cast<size_t>(i) * 2 * (regions_.values + regions_.scales);
    KvLayer l;
    l.type = kv_type_;
    l.k = base;
    l.v = base + regions_.values;
    if (kv_type_ == LLCUDA_TYPE_Q8_0) {
        l.k_scale = reinterpret_cast<__half *>(base + 2 * regions_.values);
        l.v_scale = reinterpret_cast<__half *>(base + 2 * regions_.values + regions_.scales);
    }
    return l;
}

// ------------------------------------------------------------------------------- model

CudaModel::CudaModel(int device, const ModelSpec &spec, const ModelFile &file)
    : device_(device), spec_(spec), tile_tokens_(attention_tile_tokens(spec.n_head, spec.n_head_kv, spec.head_dim)) {
    check_supported_shape(spec_);
    rope_ = make_rope_config(spec_.n_head, spec_.n_head_kv, spec_.head_dim, spec_.rope_type == LLCUDA_ROPE_NEOX,
                             rope_frequencies(spec_));
    rope_sliding_ = make_rope_config(spec_.n_head, spec_.n_head_kv, spec_.head_dim, spec_.rope_type == LLCUDA_ROPE_NEOX,
                                     rope_frequencies_sliding(spec_));
    LLCUDA_CUDA_CHECK(cudaSetDevice(device_));
    LLCUDA_CUDA_CHECK(cudaDeviceGetAttribute(&sm_count_, cudaDevAttrMultiProcessorCount, device_));
    LLCUDA_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    weights_ = ModelWeights(spec_, file);
    map_weights();
    // Row lengths are multiples of 16 (check_supported_shape), as the 8-bit blocks need.
    q8_ = DeviceBuffer(q8_activation_bytes(kMatVecMaxTokens, std::max({spec_.n_embd, spec_.q_dim(), dense_ff()})),
                       "8-bit activations of " + std::to_string(kMatVecMaxTokens) + " tokens");
    if (spec_.n_expert > 0) {
        moe_shape_ = MoeShape{spec_.n_embd, spec_.n_ff_expert, spec_.n_expert, spec_.n_expert_used};
        moe_q8_ = DeviceBuffer(moe_q8_bytes(moe_shape_),
                               "8-bit expert activations of " + std::to_string(kMatVecMaxTokens) + " tokens");
    }
}

CudaModel::~CudaModel() {
    cudaSetDevice(device_);
    clear_graphs();
    if (stream_) cudaStreamDestroy(stream_);
}

void CudaModel::clear_graphs() {
    for (auto &entry : graphs_) cudaGraphExecDestroy(entry.second);
    graphs_.clear();
}

void CudaModel::map_weights() {
    token_embd_ = weights_.mat(spec_.token_embd);
    output_ = weights_.mat(spec_.output);
    output_norm_ = weights_.vec(spec_.output_norm);
    for (const LayerTensors &l : spec_.layers) {
        DeviceLayer d;
        d.attn_norm = weights_.vec(l.attn_norm);
        d.ffn_norm = weights_.vec(l.ffn_norm);
        d.bq = weights_.vec(l.bq);
        d.bk = weights_.vec(l.bk);
        d.bv = weights_.vec(l.bv);
        d.q_norm = weights_.vec(l.attn_q_norm);
        d.k_norm = weights_.vec(l.attn_k_norm);
        d.attn_post_norm = weights_.vec(l.attn_post_norm);
        d.ffn_post_norm = weights_.vec(l.ffn_post_norm);
        d.wq = weights_.mat(l.wq);
        d.wk = weights_.mat(l.wk);
        d.wv = weights_.mat(l.wv);
        d.wo = weights_.mat(l.wo);
        d.gate = weights_.mat(l.ffn_gate);
        d.up = weights_.mat(l.ffn_up);
        d.down = weights_.mat(l.ffn_down);
        auto follows = [](const DeviceMatrix &a, const DeviceMatrix &b) {
            return a.type == b.type && a.cols == b.cols && a.data + a.rows * a.row_bytes == b.data;
        };
        d.qk_fused = follows(d.wq, d.wk);
        d.qk = d.wq;
        d.qk.rows = d.wq.rows + d.wk.rows;
        d.qkv_fused = d.qk_fused && follows(d.wk, d.wv);
        d.qkv = d.wq;
        d.qkv.rows = d.wq.rows + d.wk.rows + d.wv.rows;
        d.gate_up_fused = follows(d.gate, d.up);
        d.gate_up = d.gate;
        d.gate_up.rows = d.gate.rows + d.up.rows;
        if (spec_.n_expert > 0) {
            d.moe.router = weights_.mat(l.ffn_gate_inp);
            // One expert's rows of each stack (ne[1] of [ne0, ne1, experts]); the kernels step by expert.
            auto experts = [&](const TensorRef &t, DeviceMatrix &m, uint64_t &bytes) {
                m = weights_.mat(t);
                m.rows = t.ne[1];
                bytes = m.row_bytes * static_cast<uint64_t>(m.rows);
            };
            experts(l.ffn_gate_exps, d.moe.gate, d.moe.gate_bytes);
            experts(l.ffn_up_exps, d.moe.up, d.moe.up_bytes);
            experts(l.ffn_down_exps, d.moe.down, d.moe.down_bytes);
        }
        layers_.push_back(d);
    }
}

uint64_t CudaModel::kv_cache_bytes(int32_t n_blocks, int32_t block_size, int32_t kv_type) const {
    return CudaKvCache::bytes(spec_, n_blocks, block_size, kv_type);
}

std::unique_ptr<BackendKvCache> CudaModel::create_kv_cache(int32_t n_blocks, int32_t block_size, int32_t kv_type) {
    LLCUDA_CUDA_CHECK(cudaSetDevice(device_));
    return std::make_unique<CudaKvCache>(spec_, n_blocks, block_size, kv_type, next_cache_id_++);
}

void CudaModel::ensure_capacity(const StepPlan &plan) {
    if (layout_.fits(plan) && acts_.size() > 0) return;
    auto grow = [](int64_t have, int64_t need) {
        int64_t cap = std::max<int64_t>(have, 64);
        while (cap < need) cap *= 2;
        return cap;
    };
    MetaLayout next;
    next.cap_tokens = grow(layout_.cap_tokens, std::max(plan.n_padded, plan.n_tiles()));
    next.cap_rows = grow(layout_.cap_rows, plan.n_rows());
    next.cap_tables = grow(layout_.cap_tables, static_cast<int64_t>(plan.tables.size()));
    clear_graphs();
    LLCUDA_CUDA_CHECK(cudaStreamSynchronize(stream_));
    // The old buffers go first (less memory at the peak), and no step runs on a partial set: if an
    // allocation below fails, the empty layout makes the next step allocate again.
    layout_ = MetaLayout{};
    acts_ = DeviceBuffer();
    logits_ = DeviceBuffer();
    moe_ = DeviceBuffer();

    const int64_t T = next.cap_tokens, R = next.cap_rows;
    const int64_t E = spec_.n_embd, QD = spec_.q_dim(), KVD = spec_.kv_dim(), F = dense_ff();
    const int64_t per_token = 2 * E + 2 * QD + 2 * KVD + 3 * F;
    const int64_t partial = static_cast<int64_t>(attention_workspace_floats(sm_count_, spec_.head_dim));
    int64_t half_count = std::max(T, R) * std::max({E, QD, F});  // FP16 activations of a product
    if (spec_.n_expert > 0) {
        half_count = std::max(half_count, static_cast<int64_t>(moe_half_scratch(moe_shape_, static_cast<int>(T))));
        moe_ = DeviceBuffer(moe_scratch_bytes(moe_shape_, static_cast<int>(T)),
                            "expert routing and products for " + std::to_string(T) + " tokens");
        moe_scratch_ = moe_scratch(moe_.get(), moe_shape_, static_cast<int>(T));
    }
    const int64_t half_floats = (half_count + 1) / 2 + 4;
    meta_ = DeviceBuffer(next.total() * sizeof(int32_t), "step metadata");
    meta_host_ = PinnedBuffer(next.total() * sizeof(int32_t));
    acts_ = DeviceBuffer((T * per_token + R * E + partial + half_floats) * sizeof(float),
                         "activations for " + std::to_string(T) + " tokens");
    logits_ = DeviceBuffer(R * spec_.n_vocab * sizeof(float), "logits of " + std::to_string(R) + " rows");
    picks_ = DeviceBuffer(2 * R * sizeof(int32_t), "sampled tokens");
    picks_host_ = PinnedBuffer(2 * R * sizeof(int32_t));
    std::memset(meta_host_.as<int32_t>(), 0, meta_host_.size());
    float *p = acts_.as<float>();
    x_ = p;
    p += T * E;
    xn_ = p;
    p += T * E;
    qkv_ = p;
    p += T * (QD + 2 * KVD);
    attn_ = p;
    p += T * QD;
    gate_up_ = p;
    p += T * 2 * F;
    ffn_ = p;
    p += T * F;
    rows_ = p;
    p += R * E;
    attn_partial_ = p;
    p += partial;
    x16_ = {reinterpret_cast<__half *>(acts_.as<float>() + (p - acts_.as<float>() + 3) / 4 * 4),  // 16-byte rows
            static_cast<size_t>(half_count)};
    layout_ = next;
}

void CudaModel::enqueue_step(const StepPlan &plan, const CudaKvCache &cache) {
    cudaStream_t s = stream_;
    const int T = plan.n_padded, R = plan.n_rows();
    const int E = spec_.n_embd, QD = spec_.q_dim(), KVD = spec_.kv_dim(), F = dense_ff();
    int32_t *meta = meta_.as<int32_t>();
    LLCUDA_CUDA_CHECK(
        cudaMemcpyAsync(meta, meta_host_.as<int32_t>(), layout_.total() * sizeof(int32_t), cudaMemcpyHostToDevice, s));
    const int32_t *tokens = meta + layout_.tokens(), *positions = meta + layout_.positions(),
                  *slots = meta + layout_.slots(), *out_rows = meta + layout_.out_rows(),
                  *tables = meta + layout_.tables();
    const auto *tiles = reinterpret_cast<const AttnTile *>(meta + layout_.tiles());
    if (!lora_plan_.empty())
        LLCUDA_CUDA_CHECK(
            cudaMemcpyAsync(lora_meta_.get(), lora_meta_host_.get(), lora_meta_.size(), cudaMemcpyHostToDevice, s));

    const int QKV = QD + 2 * KVD;
    const int splits = attention_splits(plan.n_tiles(), spec_.n_head_kv, sm_count_);
    // Decode steps hand the products of quantized weights their input in 8-bit blocks, written by
    // the RMSNorm or SwiGLU that produces it (nullptr: the float path).
    Q8Activations q8_view;
    auto q8_for = [&](const DeviceMatrix &w, int tokens, int k) -> const Q8Activations * {
        if (!uses_q8_activations(w.type, tokens)) return nullptr;
        q8_view = q8_activations(q8_.get(), tokens, k);
        return &q8_view;
    };
    embed_tokens(token_embd_, tokens, T, x_, s, spec_.embd_scale);
    for (size_t i = 0; i < layers_.size(); ++i) {
        const DeviceLayer &l = layers_[i];
        const int li = static_cast<int>(i);
        const Q8Activations *xq = q8_for(l.qkv_fused ? l.qkv : l.wq, T, E);
        rms_norm(x_, nullptr, T, E, l.attn_norm, spec_.rms_eps, xn_, s, xq);
        const LoraOutputs qkv_lora{{{lora_pair(li, LoraTarget::Q), qkv_, QKV, QD},
                                    {lora_pair(li, LoraTarget::K), qkv_ + QD, QKV, KVD},
                                    {lora_pair(li, LoraTarget::V), qkv_ + QD + KVD, QKV, KVD}},
                                   3};
        shrink_lora(xn_, E, E, qkv_lora);
        if (l.qkv_fused) {
            mat_mul(l.qkv, xn_, E, T, qkv_, QKV, false, sm_count_, x16_, s, xq);
        } else if (l.qk_fused && T <= kMatVecMaxTokens) {
            mat_mul(l.qk, xn_, E, T, qkv_, QKV, false, sm_count_, x16_, s, xq);
            mat_mul(l.wv, xn_, E, T, qkv_ + QD + KVD, QKV, false, sm_count_, x16_, s, xq);
        } else {
            mat_mul(l.wq, xn_, E, T, qkv_, QKV, false, sm_count_, x16_, s, xq);
            mat_mul(l.wk, xn_, E, T, qkv_ + QD, QKV, false, sm_count_, x16_, s, xq);
            mat_mul(l.wv, xn_, E, T, qkv_ + QD + KVD, QKV, false, sm_count_, x16_, s, xq);
        }
        expand_lora(qkv_lora);
        if (l.q_norm) {
            head_rms_norm(qkv_, QKV, T, spec_.n_head, spec_.head_dim, l.q_norm, spec_.rms_eps, s);
            head_rms_norm(qkv_ + QD, QKV, T, spec_.n_head_kv, spec_.head_dim, l.k_norm, spec_.rms_eps, s);
        }
        const KvLayer kv = cache.layer(li);
        const bool slides = spec_.layer_slides(li);
        rope_and_store_kv(slides ? rope_sliding_ : rope_, T, positions, slots, qkv_, QKV, qkv_ + QD, qkv_ + QD + KVD,
                          QKV, l.bq, l.bk, l.bv, kv, s);
        const Q8Activations *aq = q8_for(l.wo, T, QD);
        const AttnScores scores{spec_.query_scale(), spec_.attn_softcap, slides ? spec_.sliding_window : 0};
        attention(tiles, plan.n_tiles(), qkv_, QKV, tables, cache.block_size(), kv, spec_.n_head, spec_.n_head_kv,
                  spec_.head_dim, splits, attn_partial_, attn_, s, aq, scores);
        add_block_output(l.wo, attn_, QD, T, l.attn_post_norm, aq, li, LoraTarget::O);
        if (spec_.n_expert > 0) {
            const Q8Activations *eq = q8_for(l.moe.gate, T, E);
            rms_norm(x_, nullptr, T, E, l.ffn_norm, spec_.rms_eps, xn_, s, eq);
            moe_ffn(l.moe, moe_shape_, xn_, eq, T, x_, moe_scratch_, moe_q8_.get(), sm_count_, x16_, s);
            continue;
        }
        const Q8Activations *nq = q8_for(l.gate_up_fused ? l.gate_up : l.gate, T, E);
        rms_norm(x_, nullptr, T, E, l.ffn_norm, spec_.rms_eps, xn_, s, nq);
        const LoraOutputs gate_up_lora{{{lora_pair(li, LoraTarget::Gate), gate_up_, 2 * F, F},
                                        {lora_pair(li, LoraTarget::Up), gate_up_ + F, 2 * F, F}},
                                       2};
        shrink_lora(xn_, E, E, gate_up_lora);
        if (l.gate_up_fused) {
            mat_mul(l.gate_up, xn_, E, T, gate_up_, 2 * F, false, sm_count_, x16_, s, nq);
        } else {
            mat_mul(l.gate, xn_, E, T, gate_up_, 2 * F, false, sm_count_, x16_, s, nq);
            mat_mul(l.up, xn_, E, T, gate_up_ + F, 2 * F, false, sm_count_, x16_, s, nq);
        }
        expand_lora(gate_up_lora);
        const Q8Activations *fq = q8_for(l.down, T, F);
        swiglu(gate_up_, gate_up_ + F, T, F, 2 * F, ffn_, s, fq,
               spec_.gelu_ffn ? GateActivation::GeluTanh : GateActivation::Silu);
        add_block_output(l.down, ffn_, F, T, l.ffn_post_norm, fq, li, LoraTarget::Down);
    }
    if (R == 0) return;
    const Q8Activations *rq = q8_for(output_, R, E);
    rms_norm(x_, out_rows, R, E, output_norm_, spec_.rms_eps, rows_, s, rq);
    mat_mul(output_, rows_, E, R, logits_.as<float>(), spec_.n_vocab, false, sm_count_, x16_, s, rq);
    if (spec_.final_softcap > 0.0f)
        soft_cap(logits_.as<float>(), static_cast<int64_t>(R) * spec_.n_vocab, spec_.final_softcap, s);
    int32_t *picked = picks_.as<int32_t>();
    float *logprobs = logprobs_in(picks_);
    sample_greedy(logits_.as<float>(), plan.n_sample, spec_.n_vocab, picked, logprobs, s);
    LLCUDA_CUDA_CHECK(cudaMemcpyAsync(picks_host_.as<int32_t>(), picked, picks_.size(), cudaMemcpyDeviceToHost, s));
}

// x += w * in: straight into the residual, or (gemma) through xn_ and the block's post norm.
void CudaModel::add_block_output(const DeviceMatrix &w, const float *in, int k, int T, const float *post_norm,
                                 const Q8Activations *in_q, int layer, LoraTarget target) {
    const int E = spec_.n_embd;
    float *product = post_norm == nullptr ? x_ : xn_;
    const LoraOutputs lora{{{lora_pair(layer, target), product, E, E}}, 1};
    shrink_lora(in, k, k, lora);
    mat_mul(w, in, k, T, product, E, post_norm == nullptr, sm_count_, x16_, stream_, in_q);
    expand_lora(lora);
    if (post_norm != nullptr) rms_norm_add(xn_, T, E, post_norm, spec_.rms_eps, x_, stream_);
}

void CudaModel::shrink_lora(const float *x, int ldx, int n_in, const LoraOutputs &outputs) {
    if (!lora_plan_.empty()) lora_shrink(lora_step_, x, ldx, n_in, outputs, stream_);
}

void CudaModel::expand_lora(const LoraOutputs &outputs) {
    if (!lora_plan_.empty()) lora_expand(lora_step_, outputs, stream_);
}

// The step's LoRA launches cover its own counts, or (a graph, replayed for other steps) their buckets.
LoraStep CudaModel::lora_step(const StepPlan &plan) const {
    const uint8_t *meta = lora_meta_.as<uint8_t>();
    LoraStep step;
    step.counts = reinterpret_cast<const LoraCounts *>(meta + lora_layout_.counts());
    step.stacks = reinterpret_cast<const LoraStack *>(meta + lora_layout_.stacks());
    step.tiles = reinterpret_cast<const LoraTile *>(meta + lora_layout_.tiles());
    step.tokens = reinterpret_cast<const int32_t *>(meta + lora_layout_.tokens());
    step.mid = lora_mid_.as<float>();
    const LoraCounts &counts = lora_plan_.counts;
    step.max_tiles = plan.graph ? lora_bucket(counts.tiles) : counts.tiles;
    step.max_row_blocks = plan.graph ? lora_bucket(counts.row_blocks) : counts.row_blocks;
    step.max_blocks = kLoraBlocksPerSm * sm_count_;
    step.overlap = plan.n_padded <= kDecodeOverlapTokens;
    return step;
}

void CudaModel::ensure_lora_capacity() {
    if (lora_layout_.cap_tokens >= layout_.cap_tokens) return;
    clear_graphs();
    LLCUDA_CUDA_CHECK(cudaStreamSynchronize(stream_));
    LoraMetaLayout next;
    next.cap_tokens = layout_.cap_tokens;
    lora_layout_ = LoraMetaLayout{};
    lora_mid_ = DeviceBuffer();
    lora_meta_ = DeviceBuffer(next.bytes(), "LoRA tiles of " + std::to_string(next.cap_tokens) + " tokens");
    lora_meta_host_ = PinnedBuffer(next.bytes());
    lora_mid_ = DeviceBuffer(static_cast<size_t>(next.cap_tokens) * kLoraMaxOutputs * kLoraMaxRank * sizeof(float),
                             "LoRA low-rank scratch of " + std::to_string(next.cap_tokens) + " tokens");
    lora_layout_ = next;
}

std::unique_ptr<BackendAdapter> CudaModel::load_adapter(AdapterSpec spec, const ModelFile &file) {
    LLCUDA_CUDA_CHECK(cudaSetDevice(device_));
    return std::make_unique<CudaAdapter>(spec, file);
}

void CudaModel::run_graph(const StepPlan &plan, const CudaKvCache &cache) {
    const auto key = std::make_tuple(cache.id(), plan.n_padded, lora_step_.max_tiles, lora_step_.max_row_blocks);
    auto it = graphs_.find(key);
    if (it == graphs_.end()) {
        cudaGraph_t graph = nullptr;
        LLCUDA_CUDA_CHECK(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal));
        try {
            enqueue_step(plan, cache);
        } catch (...) {
            cudaStreamEndCapture(stream_, &graph);
            if (graph) cudaGraphDestroy(graph);
            throw;
        }
        LLCUDA_CUDA_CHECK(cudaStreamEndCapture(stream_, &graph));
        cudaGraphExec_t exec = nullptr;
        const cudaError_t err = cudaGraphInstantiate(&exec, graph, 0);
        cudaGraphDestroy(graph);
        LLCUDA_CUDA_CHECK(err);
        it = graphs_.emplace(key, exec).first;
    }
    LLCUDA_CUDA_CHECK(cudaGraphLaunch(it->second, stream_));
}

// Rows whose sequences sample other than greedily go through sample_rows after the forward pass
// (outside the graphs, which stay the same for any sampling), greedy rows under a mask through
// sample_greedy_masked: their specs, penalty histories and masks go up, only their tokens and
// log-probabilities come back.
void CudaModel::sample_on_gpu(const StepPlan &plan, const StepBatch &batch) {
    sample_specs_host_.clear();
    sample_history_host_.clear();
    sample_allowed_host_.clear();
    const int V = static_cast<int>(spec_.n_vocab), words = (V + 31) / 32;
    std::vector<SampleRow> &masked_greedy = masked_greedy_specs_host_;
    masked_greedy.clear();
    for (size_t row = 0; row < plan.sample_seqs.size(); ++row) {
        const SeqSpan &seq = batch.seqs[plan.sample_seqs[row]];
        if (samples_greedily(seq)) continue;
        SampleRow spec{static_cast<int32_t>(row), seq.end_pos(), static_cast<int32_t>(sample_history_host_.size()),
                       seq.n_history, seq.params};
        sample_history_host_.insert(sample_history_host_.end(), seq.history, seq.history + seq.n_history);
        if (seq.allowed != nullptr) {
            spec.allowed_offset = static_cast<int32_t>(sample_allowed_host_.size());
            sample_allowed_host_.insert(sample_allowed_host_.end(), seq.allowed, seq.allowed + words);
        }
        (samples_greedily_masked(seq) ? masked_greedy : sample_specs_host_).push_back(spec);
    }
    const int n_full = static_cast<int>(sample_specs_host_.size()), n_greedy = static_cast<int>(masked_greedy.size());
    sample_specs_host_.insert(sample_specs_host_.end(), masked_greedy.begin(),
                              masked_greedy.end());  // after the others
    const int n = n_full + n_greedy;
    if (n == 0) return;
    const size_t spec_bytes = n * sizeof(SampleRow), history_bytes = sample_history_host_.size() * sizeof(int32_t),
                 allowed_bytes = sample_allowed_host_.size() * sizeof(uint32_t),
                 upload_bytes = spec_bytes + history_bytes + allowed_bytes;
    if (std::min(sample_upload_host_.size(), sample_upload_.size()) < upload_bytes) {
        // Both or neither: a failed allocation leaves the old pair, which the next step re-checks.
        LLCUDA_CUDA_CHECK(cudaStreamSynchronize(stream_));  // a failed step's upload may still read the old one
        PinnedBuffer host(2 * upload_bytes);
        DeviceBuffer device(host.size(), "sampling specs and penalty histories");
        sample_upload_host_ = std::move(host);
        sample_upload_ = std::move(device);
    }
    if (sample_scratch_.size() < sample_rows_scratch_bytes(n_full, V))  // grows to the most rows of one launch
        sample_scratch_ = DeviceBuffer(sample_rows_scratch_bytes(n_full, V),
                                       "sampling scratch for " + std::to_string(V) + "-token rows");
    // One upload: the specs, the histories, then the masks (4-byte words after 4-byte history entries).
    uint8_t *upload_host = sample_upload_host_.as<uint8_t>();
    std::memcpy(upload_host, sample_specs_host_.data(), spec_bytes);
    std::memcpy(upload_host + spec_bytes, sample_history_host_.data(), history_bytes);
    std::memcpy(upload_host + spec_bytes + history_bytes, sample_allowed_host_.data(), allowed_bytes);
    LLCUDA_CUDA_CHECK(cudaMemcpyAsync(sample_upload_.get(), sample_upload_host_.get(), upload_bytes,
                                      cudaMemcpyHostToDevice, stream_));
    int32_t *picked = picks_.as<int32_t>();
    float *logprobs = logprobs_in(picks_);
    const uint8_t *upload = sample_upload_.as<uint8_t>();
    const auto *allowed = reinterpret_cast<const uint32_t *>(upload + spec_bytes + history_bytes);
    sample_rows(sample_upload_.as<SampleRow>(), n_full, reinterpret_cast<const int32_t *>(upload + spec_bytes), allowed,
                logits_.as<float>(), V, sample_scratch_.get(), picked, logprobs, stream_);
    sample_greedy_masked(sample_upload_.as<SampleRow>() + n_full, n_greedy, allowed, logits_.as<float>(), V, picked,
                         logprobs, stream_);
    LLCUDA_CUDA_CHECK(
        cudaMemcpyAsync(picks_host_.as<int32_t>(), picked, picks_.size(), cudaMemcpyDeviceToHost, stream_));
}

void CudaModel::step(BackendKvCache &cache_base, const StepBatch &batch, const StepResult &out) {
    auto &cache = static_cast<CudaKvCache &>(cache_base);
    LLCUDA_CUDA_CHECK(cudaSetDevice(device_));
    const StepPlan plan = plan_step(batch, cache.block_size(), tile_tokens_);
    ensure_capacity(plan);
    write_meta(plan, layout_, meta_host_.as<int32_t>());
    lora_plan_ = plan_lora(batch);
    if (!lora_plan_.empty()) {
        ensure_lora_capacity();
        write_lora_meta(lora_plan_, lora_layout_, lora_meta_host_.get());
    }
    lora_step_ = lora_step(plan);
    if (plan.graph)
        run_graph(plan, cache);
    else
        enqueue_step(plan, cache);
    const std::vector<std::pair<int, int>> runs =
        out.model_logprobs ? logprob_runs(plan, batch) : std::vector<std::pair<int, int>>{};
    if (out.model_logprobs) keep_raw_rows(plan, runs);
    sample_on_gpu(plan, batch);
    if (out.model_logprobs) model_logprobs_on_gpu(plan, runs, batch.n_top_logprobs);

    const int64_t V = spec_.n_vocab;
    const float *logits = logits_.as<float>();
    if (plan.n_logit_rows > 0 && out.logits)
        LLCUDA_CUDA_CHECK(cudaMemcpyAsync(out.logits, logits + static_cast<int64_t>(plan.n_sample) * V,
                                          plan.n_logit_rows * V * sizeof(float), cudaMemcpyDeviceToHost, stream_));
    LLCUDA_CUDA_CHECK(cudaStreamSynchronize(stream_));

    for (size_t s = 0; s < batch.seqs.size(); ++s) out.sampled[s] = -1;
    const int32_t *picked = picks_host_.as<int32_t>();
    const float *picked_logprobs = logprobs_in(picks_host_);
    for (size_t row = 0; row < plan.sample_seqs.size(); ++row) {
        const int32_t s = plan.sample_seqs[row];
        out.sampled[s] = picked[row];
        if (out.logprobs) out.logprobs[s] = picked_logprobs[row];
    }
    if (out.model_logprobs) write_model_logprobs(plan, batch, out);
}

std::vector<std::pair<int, int>> CudaModel::logprob_runs(const StepPlan &plan, const StepBatch &batch) {
    std::vector<std::pair<int, int>> runs;
    const int n = static_cast<int>(plan.sample_seqs.size());
    for (int row = 0; row < n; ++row) {
        if (!batch.wants_logprobs(static_cast<size_t>(plan.sample_seqs[row]))) continue;
        if (!runs.empty() && runs.back().second == row)
            runs.back().second = row + 1;
        else
            runs.emplace_back(row, row + 1);
    }
    return runs;
}

// Only the rows whose sequences want log-probabilities, at their own row index.
void CudaModel::keep_raw_rows(const StepPlan &plan, const std::vector<std::pair<int, int>> &runs) {
    const size_t row_bytes = spec_.n_vocab * sizeof(float), bytes = plan.sample_seqs.size() * row_bytes;
    if (raw_rows_.size() < bytes) raw_rows_ = DeviceBuffer(bytes, "raw logits rows for log-probabilities");
    for (const auto &[first, end] : runs)
        LLCUDA_CUDA_CHECK(cudaMemcpyAsync(raw_rows_.as<uint8_t>() + first * row_bytes,
                                          logits_.as<uint8_t>() + first * row_bytes, (end - first) * row_bytes,
                                          cudaMemcpyDeviceToDevice, stream_));
}

void CudaModel::model_logprobs_on_gpu(const StepPlan &plan, const std::vector<std::pair<int, int>> &runs, int n_top) {
    const int n = static_cast<int>(plan.sample_seqs.size());
    const size_t bytes = static_cast<size_t>(n) * (1 + 2 * n_top) * sizeof(float);
    if (runs.empty()) return;
    if (std::min(logprobs_.size(), logprobs_host_.size()) < bytes) {
        LLCUDA_CUDA_CHECK(cudaStreamSynchronize(stream_));  // the previous step's copy may still read the old pair
        PinnedBuffer host(bytes);
        DeviceBuffer device(bytes, "log-probabilities");
        logprobs_host_ = std::move(host);
        logprobs_ = std::move(device);
    }
    float *token_logprobs = logprobs_.as<float>();
    auto *top_tokens = reinterpret_cast<int32_t *>(token_logprobs + n);
    float *top_logprobs = reinterpret_cast<float *>(top_tokens + static_cast<size_t>(n) * n_top);
    const int V = static_cast<int>(spec_.n_vocab);
    for (const auto &[first, end] : runs)  // the outputs stay indexed by row
        model_logprobs(raw_rows_.as<float>() + static_cast<int64_t>(first) * V, end - first, V,
                       picks_.as<int32_t>() + first, n_top, token_logprobs + first,
                       top_tokens + static_cast<size_t>(first) * n_top,
                       top_logprobs + static_cast<size_t>(first) * n_top, stream_);
    LLCUDA_CUDA_CHECK(cudaMemcpyAsync(logprobs_host_.get(), logprobs_.get(), bytes, cudaMemcpyDeviceToHost, stream_));
}

void CudaModel::write_model_logprobs(const StepPlan &plan, const StepBatch &batch, const StepResult &out) const {
    const int n = static_cast<int>(plan.sample_seqs.size()), n_top = batch.n_top_logprobs;
    const float *token_logprobs = logprobs_host_.as<float>();
    const auto *top_tokens = reinterpret_cast<const int32_t *>(token_logprobs + n);
    const float *top_logprobs = reinterpret_cast<const float *>(top_tokens + static_cast<size_t>(n) * n_top);
    for (size_t s = 0; s < batch.seqs.size(); ++s) {  // sequences not sampled or not asking
        out.model_logprobs[s] = 0.0f;
        for (int k = 0; k < n_top; ++k) {
            out.top_tokens[s * n_top + k] = -1;
            out.top_logprobs[s * n_top + k] = 0.0f;
        }
    }
    for (int row = 0; row < n; ++row) {
        const size_t s = static_cast<size_t>(plan.sample_seqs[row]);
        if (!batch.wants_logprobs(s)) continue;
        out.model_logprobs[s] = token_logprobs[row];
        for (int k = 0; k < n_top; ++k) {
            out.top_tokens[s * n_top + k] = top_tokens[static_cast<size_t>(row) * n_top + k];
            out.top_logprobs[s * n_top + k] = top_logprobs[static_cast<size_t>(row) * n_top + k];
        }
    }
}

}  // namespace llcuda::cuda
