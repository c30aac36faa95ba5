// The CUDA implementation of the bert-family encoders (bert, nomic-bert) behind llcuda_embed: the
// inputs of a call packed without padding into passes of whole inputs, each pass the decoder's
// products, RoPE/K-V store and attention kernels (non-causal, on a K/V scratch laid out as a paged
// cache, encoder-plan.h) with the encoders' LayerNorm, biases and pooling.
#pragma once

#include <memory>

#include "backend.h"
#include "device-memory.cuh"
#include "encoder-plan.h"
#include "kernels.cuh"
#include "model-weights.cuh"

namespace llcuda::cuda {

class CudaEncoder final : public BackendModel {
  public:
    CudaEncoder(int device, const ModelSpec &spec, const ModelFile &file);
    ~CudaEncoder() override;
    uint64_t weight_bytes() const override { return weights_.size(); }
    // An encoder has no KV cache (api.cpp refuses to create one before reaching these).
    uint64_t kv_cache_bytes(int32_t, int32_t, int32_t) const override { no_cache(); }
    std::unique_ptr<BackendKvCache> create_kv_cache(int32_t, int32_t, int32_t) override { no_cache(); }
    void step(BackendKvCache &, const StepBatch &, const StepResult &) override { no_cache(); }
    void embed(const EmbedBatch &batch, float *out) override;

  private:
    struct Layer {
        DeviceMatrix wq, wk, wv, wqkv, wo, up, gate, down;
        const float *bq = nullptr, *bk = nullptr, *bv = nullptr, *bo = nullptr, *up_b = nullptr, *down_b = nullptr;
        const float *attn_norm = nullptr, *attn_norm_b = nullptr, *out_norm = nullptr, *out_norm_b = nullptr;
    };
    [[noreturn]] static void no_cache() { fail(LLCUDA_ERR_INTERNAL, "an encoder model has no KV cache"); }
    void map_weights();
    void ensure_capacity(const EncoderPlan &plan, const EncoderMeta &meta);
    // The whole pass on the stream; the pooled rows land in pooled_.
    void enqueue_pass(const EncoderPlan &plan, const EncoderMeta &meta);

    int device_;
    const ModelSpec spec_;  // hyper-parameters; its data pointers stay null (weights live in weights_)
    cudaStream_t stream_ = nullptr;
    ModelWeights weights_;
    DeviceMatrix token_embd_, position_embd_;
    const float *embd_norm_ = nullptr, *embd_norm_b_ = nullptr;
    std::vector<Layer> layers_;
    DeviceBuffer type0_;  // row 0 of token_types (zeros without the table), then the token id 0 it was read with
    RopeConfig rope_;     // nomic-bert's rotation; no frequencies for bert
    int tile_tokens_;
    int sm_count_ = 0;

    // Work buffers of one pass, grown on demand.
    int64_t cap_tokens_ = 0;
    DeviceBuffer acts_, kv_, meta_, pooled_;
    PinnedBuffer meta_host_;
    float *x_ = nullptr, *tmp_ = nullptr, *qkv_ = nullptr, *attn_ = nullptr, *ffn_in_ = nullptr, *ffn_ = nullptr,
          *attn_partial_ = nullptr;
    HalfScratch x16_;
};

}  // namespace llcuda::cuda
