#include "cuda-encoder.cuh"

#include <algorithm>

#include "encoder_layout.h"

namespace llcuda::cuda {
namespace {

// Tokens of one pass (or one input, when longer): bounds the activations (about 600 MB at
// n_embd 1024, n_ff 4096) while filling the GPU.
constexpr int kPassTokens = 8192;
// The kernels take tokens on the grid's y axis.
constexpr int kMaxPassTokens = 65535;

}  // namespace

CudaEncoder::CudaEncoder(int device, const ModelSpec &spec, const ModelFile &file)
    : device_(device), spec_(spec), tile_tokens_(attention_tile_tokens(spec.n_head, spec.n_head_kv, spec.head_dim)) {
    check_supported_shape(spec_);
    if (spec_.n_ctx > kMaxPassTokens)
        fail(LLCUDA_ERR_UNSUPPORTED, "CUDA backend: an encoder's n_ctx " + std::to_string(spec_.n_ctx) + " exceeds " +
                                         std::to_string(kMaxPassTokens) + " tokens");
    rope_ = make_rope_config(spec_.n_head, spec_.n_head_kv, spec_.head_dim, spec_.rope_type == LLCUDA_ROPE_NEOX,
                             encoder_rotates(spec_) ? rope_frequencies(spec_) : RopeFrequencies{});
    LLCUDA_CUDA_CHECK(cudaSetDevice(device_));
    LLCUDA_CUDA_CHECK(cudaDeviceGetAttribute(&sm_count_, cudaDevAttrMultiProcessorCount, device_));
    LLCUDA_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    weights_ = ModelWeights(spec_, file);
    map_weights();
}

CudaEncoder::~CudaEncoder() {
    cudaSetDevice(device_);
    if (stream_) cudaStreamDestroy(stream_);
}

void CudaEncoder::map_weights() {
    token_embd_ = weights_.mat(spec_.token_embd);
    position_embd_ = weights_.mat(spec_.position_embd);
    embd_norm_ = weights_.vec(spec_.token_embd_norm);
    embd_norm_b_ = weights_.vec(spec_.token_embd_norm_b);
    for (const LayerTensors &l : spec_.layers) {
        Layer d;
        d.wq = weights_.mat(l.wq);
        d.wk = weights_.mat(l.wk);
        d.wv = weights_.mat(l.wv);
        d.wqkv = weights_.mat(l.wqkv);
        d.wo = weights_.mat(l.wo);
        d.up = weights_.mat(l.ffn_up);
        d.gate = weights_.mat(l.ffn_gate);
        d.down = weights_.mat(l.ffn_down);
        if (d.wqkv.data) {  // one bias vector of q|k|v rows
            const float *b = weights_.vec(l.bqkv);
            d.bq = b;
            d.bk = b ? b + spec_.q_dim() : nullptr;
            d.bv = b ? b + spec_.q_dim() + spec_.kv_dim() : nullptr;
        } else {
            d.bq = weights_.vec(l.bq);
            d.bk = weights_.vec(l.bk);
            d.bv = weights_.vec(l.bv);
        }
        d.bo = weights_.vec(l.bo);
        d.up_b = weights_.vec(l.ffn_up_b);
        d.down_b = weights_.vec(l.ffn_down_b);
        d.attn_norm = weights_.vec(l.attn_output_norm);
        d.attn_norm_b = weights_.vec(l.attn_output_norm_b);
        d.out_norm = weights_.vec(l.layer_output_norm);
        d.out_norm_b = weights_.vec(l.layer_output_norm_b);
        layers_.push_back(d);
    }
    // Row 0 of the token-type table, the only type llama.cpp gives its inputs, read once by the
    // embedding kernel (token id 0 after the row); zeros without a table.
    const int E = spec_.n_embd;
    type0_ = DeviceBuffer((E + 4) * sizeof(float), "the token-type row");
    LLCUDA_CUDA_CHECK(cudaMemset(type0_.get(), 0, type0_.size()));
    if (spec_.token_types.present())
        embed_tokens(weights_.mat(spec_.token_types), reinterpret_cast<const int32_t *>(type0_.as<float>() + E), 1,
                     type0_.as<float>(), stream_);
    LLCUDA_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

void CudaEncoder::ensure_capacity(const EncoderPlan &plan, const EncoderMeta &meta) {
    const int64_t E = spec_.n_embd, QD = spec_.q_dim(), KVD = spec_.kv_dim(), F = spec_.n_ff;
    if (plan.n_tokens > cap_tokens_) {
        const int64_t T =
            std::min<int64_t>(std::max<int64_t>(plan.n_tokens, 2 * cap_tokens_), std::max(kPassTokens, spec_.n_ctx));
        acts_ = DeviceBuffer();
        const int64_t partial = static_cast<int64_t>(attention_workspace_floats(sm_count_, spec_.head_dim));
        const int64_t half_count = T * std::max({E, QD, F});
        const int64_t per_token = 2 * E + (QD + 2 * KVD) + QD + 2 * F + F;
        acts_ = DeviceBuffer((T * per_token + partial + (half_count + 1) / 2 + 4) * sizeof(float),
                             "encoder activations for " + std::to_string(T) + " tokens");
        float *p = acts_.as<float>();
        x_ = p;
        p += T * E;
        tmp_ = p;
        p += T * E;
        qkv_ = p;
        p += T * (QD + 2 * KVD);
        attn_ = p;
        p += T * QD;
        ffn_in_ = p;
        p += T * 2 * F;
        ffn_ = p;
        p += T * F;
        attn_partial_ = p;
        p += partial;
        x16_ = {reinterpret_cast<__half *>(acts_.as<float>() + (p - acts_.as<float>() + 3) / 4 * 4),  // 16-byte rows
                static_cast<size_t>(half_count)};
        cap_tokens_ = T;
    }
    auto grow = [](DeviceBuffer &b, size_t bytes, const std::string &what) {
        if (b.size() >= bytes) return;
        b = DeviceBuffer();
        b = DeviceBuffer(bytes, what);
    };
    grow(kv_, 2 * static_cast<size_t>(plan.n_blocks) * kEncoderBlock * KVD * sizeof(__half), "encoder K/V scratch");
    grow(meta_, meta.total * sizeof(int32_t), "encoder pass metadata");
    grow(pooled_, static_cast<size_t>(plan.n_seqs) * E * sizeof(float), "pooled embeddings");
    if (meta_host_.size() < meta.total * sizeof(int32_t)) {
        meta_host_ = PinnedBuffer();
        meta_host_ = PinnedBuffer(meta.total * sizeof(int32_t));
    }
}

void CudaEncoder::enqueue_pass(const EncoderPlan &plan, const EncoderMeta &layout) {
    cudaStream_t s = stream_;
    const int T = plan.n_tokens, E = spec_.n_embd, QD = spec_.q_dim(), KVD = spec_.kv_dim(), F = spec_.n_ff;
    const int QKV = QD + 2 * KVD;
    int32_t *meta = meta_.as<int32_t>();
    LLCUDA_CUDA_CHECK(
        cudaMemcpyAsync(meta, meta_host_.get(), layout.total * sizeof(int32_t), cudaMemcpyHostToDevice, s));
    const auto *tiles = reinterpret_cast<const AttnTile *>(meta + layout.tiles);
    KvLayer kv;  // one layer's K/V at a time: each layer overwrites the last one's
    kv.k = kv_.get();
    kv.v = kv_.as<__half>() + static_cast<size_t>(plan.n_blocks) * kEncoderBlock * KVD;
    const int splits = attention_splits(plan.n_tiles(), spec_.n_head_kv, sm_count_);
    const AttnScores scores{spec_.query_scale(), 0.0f, 0, meta + layout.tile_keys};
    auto product = [&](const DeviceMatrix &w, const float *in, int k, float *out, int ldy) {
        mat_mul(w, in, k, T, out, ldy, false, sm_count_, x16_, s);
    };

    embed_tokens(token_embd_, meta + layout.tokens, T, x_, s);
    if (position_embd_.data) embed_tokens(position_embd_, meta + layout.positions, T, tmp_, s);
    layer_norm(x_, position_embd_.data ? tmp_ : nullptr, type0_.as<float>(), T, E, embd_norm_, embd_norm_b_,
               spec_.rms_eps, s);
    for (const Layer &l : layers_) {
        if (l.wqkv.data) {
            product(l.wqkv, x_, E, qkv_, QKV);
        } else {
            product(l.wq, x_, E, qkv_, QKV);
            product(l.wk, x_, E, qkv_ + QD, QKV);
            product(l.wv, x_, E, qkv_ + QD + KVD, QKV);
        }
        rope_and_store_kv(rope_, T, meta + layout.positions, meta + layout.slots, qkv_, QKV, qkv_ + QD, qkv_ + QD + KVD,
                          QKV, l.bq, l.bk, l.bv, kv, s);
        attention(tiles, plan.n_tiles(), qkv_, QKV, meta + layout.tables, kEncoderBlock, kv, spec_.n_head,
                  spec_.n_head_kv, spec_.head_dim, splits, attn_partial_, attn_, s, nullptr, scores);
        product(l.wo, attn_, QD, tmp_, E);
        layer_norm(x_, tmp_, l.bo, T, E, l.attn_norm, l.attn_norm_b, spec_.rms_eps, s);
        if (l.gate.data) {  // SwiGLU (nomic-bert)
            product(l.gate, x_, E, ffn_in_, 2 * F);
            product(l.up, x_, E, ffn_in_ + F, 2 * F);
            add_bias(ffn_in_ + F, T, F, 2 * F, l.up_b, false, s);
            swiglu(ffn_in_, ffn_in_ + F, T, F, 2 * F, ffn_, s);
        } else {  // GELU (bert)
            product(l.up, x_, E, ffn_, F);
            add_bias(ffn_, T, F, F, l.up_b, true, s);
        }
        product(l.down, ffn_, F, tmp_, E);
        layer_norm(x_, tmp_, l.down_b, T, E, l.out_norm, l.out_norm_b, spec_.rms_eps, s);
    }
    pool_and_normalise(x_, E, meta + layout.pooled, plan.n_seqs, pooled_.as<float>(), s);
}

void CudaEncoder::embed(const EmbedBatch &batch, float *out) {
    LLCUDA_CUDA_CHECK(cudaSetDevice(device_));
    // Passes of whole inputs, each at most kPassTokens tokens unless one input alone is longer.
    for (int first = 0; first < batch.n_seqs;) {
        int n = 1;
        while (first + n < batch.n_seqs && batch.offsets[first + n + 1] - batch.offsets[first] <= kPassTokens) ++n;
        const EncoderPlan plan = plan_encoder(spec_, batch, first, n, tile_tokens_);
        const EncoderMeta layout = encoder_meta_layout(plan);
        ensure_capacity(plan, layout);
        write_encoder_meta(plan, layout, meta_host_.as<int32_t>());
        enqueue_pass(plan, layout);
        LLCUDA_CUDA_CHECK(cudaMemcpyAsync(out + static_cast<int64_t>(first) * spec_.n_embd, pooled_.get(),
                                          static_cast<size_t>(n) * spec_.n_embd * sizeof(float), cudaMemcpyDeviceToHost,
                                          stream_));
        LLCUDA_CUDA_CHECK(cudaStreamSynchronize(stream_));
        first += n;
    }
}

}  // namespace llcuda::cuda
