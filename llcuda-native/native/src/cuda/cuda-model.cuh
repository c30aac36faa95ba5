// The CUDA implementation of BackendModel and BackendKvCache: weights uploaded once, the paged KV
// cache in device memory, and the step (eager for prompt chunks and mixed batches, a replayed
// CUDA graph per batch-size bucket for pure decode steps).
#pragma once

#include <map>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

#include "backend.h"
#include "cuda-adapter.cuh"
#include "device-memory.cuh"
#include "kernels.cuh"
#include "model-weights.cuh"
#include "step-plan.h"

namespace llcuda::cuda {

struct DeviceLayer {
    const float *attn_norm = nullptr, *ffn_norm = nullptr;
    const float *bq = nullptr, *bk = nullptr, *bv = nullptr;
    const float *q_norm = nullptr, *k_norm = nullptr;                 // qwen3, gemma3
    const float *attn_post_norm = nullptr, *ffn_post_norm = nullptr;  // gemma
    DeviceMatrix wq, wk, wv, wo, gate, up, down;
    // Q|K|V and gate|up as one matrix each when their types match and their bytes are adjacent:
    // one launch instead of three (two), which matters most for decode steps. Q|K alone when only
    // V differs (llama-quantize's _M mixes give some layers' V more bits): two launches, taken by
    // decode steps (H200, TinyLlama Q4_K_M: Q 5.2 us + K 3.7 us -> Q|K 4.3 us per such layer); larger
    // steps keep three (at 64 sequences, one run measured 3.8% slower with Q|K in one product).
    DeviceMatrix qkv, gate_up, qk;
    bool qkv_fused = false, gate_up_fused = false, qk_fused = false;
    MoeLayer moe;  // mixture-of-experts layers: the router and the stacked experts (no dense FFN)
};

// Per layer: K values, V values, then (Q8_0) K scales and V scales, each region 256-byte aligned.
class CudaKvCache final : public BackendKvCache {
  public:
    CudaKvCache(const ModelSpec &spec, int32_t n_blocks, int32_t block_size, int32_t kv_type, uint64_t id);
    int32_t n_blocks() const override { return n_blocks_; }
    int32_t block_size() const override { return block_size_; }
    uint64_t id() const { return id_; }
    KvLayer layer(int i) const;
    // Throws LLCUDA_ERR_UNSUPPORTED for types other than F16 and Q8_0 (whose rows need kv_dim % 32 == 0).
    static uint64_t bytes(const ModelSpec &spec, int32_t n_blocks, int32_t block_size, int32_t kv_type);

  private:
    struct Regions {
        size_t values, scales;  // bytes of one layer's K (or V) values and scales, aligned
    };
    static Regions regions(const ModelSpec &spec, int32_t n_blocks, int32_t block_size, int32_t kv_type);
    int32_t n_blocks_, block_size_, kv_type_;
    uint64_t id_;
    Regions regions_;
    DeviceBuffer memory_;
};

class CudaModel final : public BackendModel {
  public:
    CudaModel(int device, const ModelSpec &spec, const ModelFile &file);
    ~CudaModel() override;
    uint64_t weight_bytes() const override { return weights_.size(); }
    uint64_t kv_cache_bytes(int32_t n_blocks, int32_t block_size, int32_t kv_type) const override;
    std::unique_ptr<BackendKvCache> create_kv_cache(int32_t n_blocks, int32_t block_size, int32_t kv_type) override;
    void step(BackendKvCache &cache, const StepBatch &batch, const StepResult &out) override;
    std::unique_ptr<BackendAdapter> load_adapter(AdapterSpec spec, const ModelFile &file) override;

  private:
    // The layers' views of weights_.
    void map_weights();
    void ensure_capacity(const StepPlan &plan);
    // Enqueues the whole step for the plan's sizes: metadata upload, forward pass, greedy sampling,
    // copy of tokens/logprobs into pinned memory. Captured as is into the decode graphs.
    void enqueue_step(const StepPlan &plan, const CudaKvCache &cache);
    // x_ += w * in (k inputs per token), with the layer's post norm on the product when it has one;
    // the step's adapters add their pair of (layer, target) to the product first.
    void add_block_output(const DeviceMatrix &w, const float *in, int k, int T, const float *post_norm,
                          const Q8Activations *in_q, int layer, LoraTarget target);
    // Grows the LoRA metadata and scratch to layout_'s token capacity (invalidating the graphs).
    void ensure_lora_capacity();
    // The step's LoRA data and launch bounds (lora_plan_ and lora_meta_ written).
    LoraStep lora_step(const StepPlan &plan) const;
    // The step's adapters' low-rank products for `outputs` (pairs of one layer): the shrink on x
    // (rows of n_in, stride ldx) before the base product, the expand into the outputs after it;
    // nothing when the step has no adapters.
    void shrink_lora(const float *x, int ldx, int n_in, const LoraOutputs &outputs);
    void expand_lora(const LoraOutputs &outputs);
    void run_graph(const StepPlan &plan, const CudaKvCache &cache);
    void sample_on_gpu(const StepPlan &plan, const StepBatch &batch);
    // The model's log-probabilities (model-logprobs.cu) of the sampled rows, from their raw logits
    // (`raw_rows_`, copied before sampling changed them), into logprobs_host_.
    // Runs [first, end) of consecutive sample rows whose sequences want model log-probabilities.
    static std::vector<std::pair<int, int>> logprob_runs(const StepPlan &plan, const StepBatch &batch);
    void keep_raw_rows(const StepPlan &plan, const std::vector<std::pair<int, int>> &runs);
    void model_logprobs_on_gpu(const StepPlan &plan, const std::vector<std::pair<int, int>> &runs, int n_top);
    void write_model_logprobs(const StepPlan &plan, const StepBatch &batch, const StepResult &out) const;
    void clear_graphs();
    // The dense FFN's width (0 when every layer's FFN is a mixture of experts).
    int dense_ff() const { return spec_.n_expert > 0 ? 0 : spec_.n_ff; }
    // picks_ and picks_host_ hold the chosen token of each output row, then (from cap_rows on) its
    // log-probability.
    template <class Buffer>
    float *logprobs_in(const Buffer &picks) const {
        return reinterpret_cast<float *>(picks.template as<int32_t>() + layout_.cap_rows);
    }

    int device_;
    const ModelSpec spec_;  // hyper-parameters; its data pointers stay null (weights live in weights_)
    cudaStream_t stream_ = nullptr;
    ModelWeights weights_;
    DeviceMatrix token_embd_, output_;
    const float *output_norm_ = nullptr;
    std::vector<DeviceLayer> layers_;
    int tile_tokens_;
    RopeConfig rope_, rope_sliding_;  // global layers, sliding-window layers
    uint64_t next_cache_id_ = 1;

    // Work buffers, grown on demand (growing invalidates the captured graphs).
    MetaLayout layout_;
    DeviceBuffer meta_, acts_, logits_, picks_;
    // The current product input in 8-bit blocks for decode steps (q8-activations.cuh).
    DeviceBuffer q8_;
    // Mixture of experts: the shape, the routing and expert buffers (grown with acts_), the 8-bit
    // SwiGLU output of a decode step's routed pairs.
    MoeShape moe_shape_;
    DeviceBuffer moe_, moe_q8_;
    MoeScratch moe_scratch_;
    PinnedBuffer meta_host_, picks_host_;
    float *x_ = nullptr, *xn_ = nullptr, *qkv_ = nullptr, *attn_ = nullptr, *gate_up_ = nullptr, *ffn_ = nullptr,
          *rows_ = nullptr, *attn_partial_ = nullptr;
    HalfScratch x16_;  // a tensor-core product's activations in FP16
    int sm_count_ = 0;

    // Decode graphs per (cache id, bucket, LoRA tiles bucket, LoRA row-blocks bucket; 0 without adapters).
    std::map<std::tuple<uint64_t, int, int, int>, cudaGraphExec_t> graphs_;

    // The step's LoRA tiles (device data, so one captured graph serves any choice of adapters),
    // their metadata (pinned, then one upload) and the low-rank scratch, laid out as lora_layout_.
    LoraPlan lora_plan_;
    LoraStep lora_step_;
    LoraMetaLayout lora_layout_;
    DeviceBuffer lora_meta_, lora_mid_;
    PinnedBuffer lora_meta_host_;

    // Non-greedy and masked sampling: specs, histories and allowed-token masks (pinned, then one
    // upload), the kernel's scratch.
    std::vector<SampleRow> sample_specs_host_;
    std::vector<SampleRow> masked_greedy_specs_host_;  // greedy rows under a mask, before they join the specs
    std::vector<int32_t> sample_history_host_;
    std::vector<uint32_t> sample_allowed_host_;
    PinnedBuffer sample_upload_host_;
    DeviceBuffer sample_upload_, sample_scratch_;

    // Model log-probabilities: the sampled rows' raw logits, then per row the sampled token's
    // log-probability, n_top tokens and n_top log-probabilities (device, then pinned).
    DeviceBuffer raw_rows_, logprobs_;
    PinnedBuffer logprobs_host_;
};

}  // namespace llcuda::cuda
