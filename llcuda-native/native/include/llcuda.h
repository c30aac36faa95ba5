/*
 * llcuda.h - the one public C ABI of the llcuda inference library.
 *
 * Rules every function follows:
 *  - returns an llcuda_status (or a plain value for pure queries that cannot fail);
 *  - never lets a C++ exception, abort or CUDA error cross this boundary;
 *  - never trusts caller sizes: every count, index, offset and size is checked;
 *  - on failure stores a readable message: per handle (llcuda_*_last_error) for calls on a
 *    handle, and per thread (llcuda_last_error) for every failing call.
 *
 * Ownership: handles are created by *_create / *_load and released by *_free (NULL is a no-op).
 * A model keeps its backend alive; a KV cache keeps its model alive, so free order is free.
 * Threading: a backend and everything created from it is used by one thread at a time.
 */
#ifndef LLCUDA_H
#define LLCUDA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define LLCUDA_API __declspec(dllexport)
#else
#define LLCUDA_API __attribute__((visibility("default")))
#endif

/* Bumped on every incompatible change; the Java binding refuses a library of another version. */
#define LLCUDA_ABI_VERSION 3

typedef enum llcuda_status {
    LLCUDA_OK = 0,
    LLCUDA_ERR_INVALID_ARGUMENT = 1, /* a caller value is out of range or inconsistent */
    LLCUDA_ERR_OUT_OF_MEMORY = 2,    /* host or device allocation failed; message says how much */
    LLCUDA_ERR_IO = 3,               /* the model file could not be opened or read (or changed while read) */
    LLCUDA_ERR_UNSUPPORTED = 4,      /* a weight type, architecture or backend not available */
    LLCUDA_ERR_DEVICE = 5,           /* a CUDA error; the handle is marked failed */
    LLCUDA_ERR_INTERNAL = 6,         /* a bug in llcuda; the handle is marked failed */
    LLCUDA_ERR_FAILED_STATE = 7      /* the handle failed earlier and must be freed */
} llcuda_status;

typedef enum llcuda_backend_kind { LLCUDA_BACKEND_CPU = 0, LLCUDA_BACKEND_CUDA = 1 } llcuda_backend_kind;

typedef enum llcuda_arch {
    LLCUDA_ARCH_LLAMA = 0,      /* Llama 2/3, TinyLlama, Mistral */
    LLCUDA_ARCH_QWEN2 = 1,      /* q/k/v biases, NEOX RoPE */
    LLCUDA_ARCH_QWEN3 = 2,      /* per-head RMSNorm of q and k before RoPE, NEOX RoPE, no biases */
    LLCUDA_ARCH_GEMMA2 = 3,     /* GELU(tanh) gated FFN, post-attention and post-FFN norms, soft-capping */
    LLCUDA_ARCH_GEMMA3 = 4,     /* gemma2's layer plus per-head RMSNorm of q and k */
    LLCUDA_ARCH_BERT = 5,       /* encoder (BGE, MiniLM, E5): embeddings only, through llcuda_embed */
    LLCUDA_ARCH_NOMIC_BERT = 6, /* encoder (nomic-embed-text): fused QKV, NEOX RoPE, SwiGLU */
    LLCUDA_ARCH_PHI3 = 7,    /* Phi-3/3.5/4-mini: fused attn_qkv (or attn_q/k/v), fused gate|up in ffn_up, NEOX RoPE */
    LLCUDA_ARCH_QWEN3MOE = 8 /* qwen3's attention, a mixture-of-experts FFN in every layer (n_expert > 0) */
} llcuda_arch;

/* How an encoder turns its last hidden states into one vector per input (GGUF pooling_type). */
typedef enum llcuda_pooling {
    LLCUDA_POOLING_NONE = 0, /* decoders */
    LLCUDA_POOLING_MEAN = 1,
    LLCUDA_POOLING_CLS = 2, /* the first token */
    LLCUDA_POOLING_LAST = 3
} llcuda_pooling;

typedef enum llcuda_rope_type {
    LLCUDA_ROPE_NORMAL = 0, /* rotate pairs (2i, 2i+1) - llama */
    LLCUDA_ROPE_NEOX = 2    /* rotate pairs (i, i + rope_dim/2) - qwen2 */
} llcuda_rope_type;

/* How RoPE stretches positions beyond the context the model was trained at. */
typedef enum llcuda_rope_scaling {
    LLCUDA_ROPE_SCALING_NONE = 0,
    LLCUDA_ROPE_SCALING_LINEAR = 1,  /* every frequency times rope_freq_scale */
    LLCUDA_ROPE_SCALING_YARN = 2,    /* frequencies between interpolated and extrapolated, per pair */
    LLCUDA_ROPE_SCALING_LLAMA3 = 3,  /* per-pair factors of the tensor "rope_freqs.weight" */
    LLCUDA_ROPE_SCALING_LONGROPE = 4 /* Phi-3's per-pair divisors: "rope_factors_long.weight" when n_ctx >
                                      * rope_orig_ctx, else "rope_factors_short.weight" (as llama.cpp) */
} llcuda_rope_scaling;

/* Weight and cache element types use ggml's numbering (GGUF tensor type ids). */
typedef enum llcuda_type {
    LLCUDA_TYPE_F32 = 0,
    LLCUDA_TYPE_F16 = 1,
    LLCUDA_TYPE_Q4_0 = 2,
    LLCUDA_TYPE_Q8_0 = 8,
    LLCUDA_TYPE_Q4_K = 12,
    LLCUDA_TYPE_Q5_K = 13,
    LLCUDA_TYPE_Q6_K = 14,
    LLCUDA_TYPE_BF16 = 30,
    LLCUDA_TYPE_Q4_1 = 3,
    LLCUDA_TYPE_Q5_0 = 6,
    LLCUDA_TYPE_Q5_1 = 7,
    LLCUDA_TYPE_Q2_K = 10,
    LLCUDA_TYPE_Q3_K = 11,
    LLCUDA_TYPE_IQ4_NL = 20,
    LLCUDA_TYPE_IQ4_XS = 23,
    LLCUDA_TYPE_NF4 = 100 /* llcuda-private (no ggml id): bitsandbytes' NF4 code book, blocks of 64 */
} llcuda_type;

typedef struct llcuda_backend llcuda_backend;
typedef struct llcuda_model llcuda_model;
typedef struct llcuda_kv_cache llcuda_kv_cache;
typedef struct llcuda_adapter llcuda_adapter; /* a LoRA adapter over one model */

/* ---------------------------------------------------------------- library */

LLCUDA_API int32_t llcuda_abi_version(void);
/* e.g. "llcuda 0.1.0 cpu=avx2 cuda=75,80,86,89,90"; static storage. */
LLCUDA_API const char *llcuda_build_info(void);
/* Message of the last failing call on this thread ("" if none); valid until the next call. */
LLCUDA_API const char *llcuda_last_error(void);

/* ---------------------------------------------------------------- devices */

typedef struct llcuda_device_info {
    char name[256];        /* "NVIDIA H100 80GB HBM3", or the CPU model name */
    char uuid[64];         /* "GPU-xxxxxxxx-..." for CUDA; "" for the CPU */
    int32_t kind;          /* llcuda_backend_kind */
    int32_t device;        /* CUDA ordinal; 0 for the CPU */
    int32_t compute_major; /* 7 for sm_75; 0 for the CPU */
    int32_t compute_minor;
    int32_t multiprocessors; /* SMs, or CPU threads used */
    int32_t driver_version;  /* CUDA driver version as cudaDriverGetVersion gives it; 0 for the CPU */
    uint64_t memory_total;   /* bytes */
    uint64_t memory_free;    /* bytes, at the time of the call */
} llcuda_device_info;

/* Number of usable CUDA devices; 0 when the library was built without CUDA or there is no
 * GPU/driver (never an error). `reason` (may be NULL) receives why 0, NUL-terminated. */
LLCUDA_API int32_t llcuda_cuda_device_count(char *reason, size_t reason_capacity);
LLCUDA_API llcuda_status llcuda_cuda_device_info(int32_t device, llcuda_device_info *out);

/* ---------------------------------------------------------------- backend */

/* kind CPU: `device` ignored, `n_threads` <= 0 means all cores. kind CUDA: `device` ordinal. */
LLCUDA_API llcuda_status llcuda_backend_create(int32_t kind, int32_t device, int32_t n_threads, llcuda_backend **out);
LLCUDA_API void llcuda_backend_free(llcuda_backend *backend);
LLCUDA_API const char *llcuda_backend_last_error(const llcuda_backend *backend);
LLCUDA_API llcuda_status llcuda_backend_info(llcuda_backend *backend, llcuda_device_info *out);

/* ---------------------------------------------------------------- model */

/* One tensor of the model file, as the GGUF tensor info table gives it. */
typedef struct llcuda_tensor_desc {
    const char *name; /* GGUF name, e.g. "blk.0.attn_q.weight" */
    int32_t type;     /* llcuda_type / ggml type id */
    int32_t n_dims;   /* 1..4 */
    int64_t ne[4];    /* elements per dimension, ne[0] innermost (contiguous) */
    uint64_t offset;  /* absolute byte offset of the data in the file */
    uint64_t size;    /* bytes of data */
} llcuda_tensor_desc;

/* Hyper-parameters and tensor table, built and validated by the Java side from GGUF metadata.
 * The native side re-validates everything it uses (shapes, offsets, sizes, file length). */
typedef struct llcuda_model_spec {
    int32_t arch; /* llcuda_arch */
    int32_t n_vocab;
    int32_t n_embd;
    int32_t n_layer;
    int32_t n_head;
    int32_t n_head_kv;
    int32_t head_dim; /* usually n_embd / n_head */
    int32_t n_ff;
    int32_t n_ctx;         /* context length the caches are limited to */
    int32_t rope_type;     /* llcuda_rope_type */
    int32_t rope_dim;      /* rotated dimensions per head (<= head_dim) */
    float rope_theta;      /* base frequency */
    float rope_freq_scale; /* linear and YaRN scaling: 1 / factor (1.0 = none) */
    float rms_eps;         /* RMSNorm epsilon; for bert the LayerNorm epsilon */
    int32_t n_tensors;
    const llcuda_tensor_desc *tensors;
    /* RoPE scaling (ABI 2). A tensor "rope_freqs.weight" (F32, rope_dim / 2 values, all > 0) in the
     * table divides pair p's frequency by its value p whatever the scaling; LLAMA3 requires it. */
    int32_t rope_scaling;   /* llcuda_rope_scaling */
    int32_t rope_orig_ctx;  /* YaRN, LONGROPE: the context the model was trained at; 0 without them */
    float yarn_ext_factor;  /* YaRN: extrapolation mix, 1 with YaRN; 0 without */
    float yarn_beta_fast;   /* YaRN: rotations per original context where interpolation ends (32) */
    float yarn_beta_slow;   /* YaRN: ... where it starts (1) */
    float rope_attn_factor; /* magnitude of the rotated dimensions (1 = none); YaRN adds its mscale */
    /* Model families (ABI 2). 0 leaves each one off or at its default. */
    float attn_scale;              /* query scale of the attention scores; 0: 1 / sqrt(head_dim) */
    float attn_softcap;            /* scores -> cap * tanh(scores / cap) before the softmax; 0: none */
    float final_softcap;           /* logits -> cap * tanh(logits / cap); 0: none */
    float embd_scale;              /* token embeddings are multiplied by it (gemma: sqrt(n_embd)); 0: 1 */
    int32_t sliding_window;        /* a sliding-window layer's query at p sees keys p-window+1..p; 0: none */
    int32_t sliding_pattern;       /* with a window: 0 every layer slides, n: of each n layers all but the
                                    * last slide (layer i slides when i % n < n - 1), as llama.cpp */
    float rope_theta_sliding;      /* RoPE base of sliding-window layers; 0: rope_theta */
    float rope_freq_scale_sliding; /* their linear RoPE scale; 0: rope_freq_scale */
    /* Encoders (ABI 2). */
    int32_t pooling_type; /* llcuda_pooling: MEAN, CLS or LAST for bert, NONE for decoders */
    /* Mixture of experts (ABI 2; llama and qwen3moe). 0 experts: every layer's FFN is dense. With
     * experts each layer has ffn_gate_inp [n_embd, n_expert] (the router) and ffn_gate_exps,
     * ffn_up_exps [n_embd, n_ff_expert, n_expert], ffn_down_exps [n_ff_expert, n_embd, n_expert]
     * instead of ffn_gate/up/down; a token goes to the n_expert_used experts of highest softmax
     * probability, their outputs weighted by those probabilities renormalised to sum 1 (Mixtral,
     * Qwen3-MoE, as llama.cpp). CPU backend only for now. */
    int32_t n_expert;
    int32_t n_expert_used;
    int32_t n_ff_expert; /* each expert's FFN width; 0: n_ff */
} llcuda_model_spec;

/* Checks the spec against `gguf_path` and copies the weights into memory the model owns (host
 * memory on the CPU, device memory on CUDA); the file is closed again, so later changes to it do
 * not reach the loaded model. */
LLCUDA_API llcuda_status llcuda_model_load(llcuda_backend *backend, const char *gguf_path,
                                           const llcuda_model_spec *spec, llcuda_model **out);
LLCUDA_API void llcuda_model_free(llcuda_model *model);
LLCUDA_API const char *llcuda_model_last_error(const llcuda_model *model);
/* Bytes of backend memory the weights occupy. */
LLCUDA_API llcuda_status llcuda_model_weight_bytes(llcuda_model *model, uint64_t *out);

/* ---------------------------------------------------------------- paged KV cache */

/* A pool of `n_blocks` blocks of `block_size` token positions each, for every layer, K and V.
 * kv_type: LLCUDA_TYPE_F16 (default; CPU may use F32 internally) or LLCUDA_TYPE_Q8_0. */
LLCUDA_API llcuda_status llcuda_kv_cache_bytes(llcuda_model *model, int32_t n_blocks, int32_t block_size,
                                               int32_t kv_type, uint64_t *out);
LLCUDA_API llcuda_status llcuda_kv_cache_create(llcuda_model *model, int32_t n_blocks, int32_t block_size,
                                                int32_t kv_type, llcuda_kv_cache **out);
LLCUDA_API void llcuda_kv_cache_free(llcuda_kv_cache *cache);
LLCUDA_API const char *llcuda_kv_cache_last_error(const llcuda_kv_cache *cache);

/* ---------------------------------------------------------------- one step */

/* A step refuses (LLCUDA_ERR_INVALID_ARGUMENT) a sampling sequence whose parameters are outside
 * these ranges. Non-finite logits are never candidates; when the scaled logits overflow, the
 * sequence samples greedily over its finite logits. */
typedef struct llcuda_sampling_params {
    float temperature;        /* finite, >= 0; 0: greedy (argmax) */
    int32_t top_k;            /* >= 0; 0: off */
    float top_p;              /* (0, 1]; 1: off */
    float min_p;              /* [0, 1]; 0: off */
    float repetition_penalty; /* finite, > 0; 1: off; divides positive / multiplies negative logits */
    float frequency_penalty;  /* finite; 0: off; subtracts count * value */
    float presence_penalty;   /* finite; 0: off; subtracts value once per present token */
    uint64_t seed;            /* the random draw at position p depends only on (seed, p) */
} llcuda_sampling_params;

/*
 * A batch mixing several sequences: prompt chunks and single decode tokens together.
 * Tokens of one sequence are contiguous in the batch with consecutive positions; the KV of
 * positions [0, first position of the sequence in this batch) is already in the cache.
 * Position p of sequence s lives in block block_tables[s * max_blocks_per_seq + p / block_size],
 * slot p % block_size.
 */
typedef struct llcuda_batch {
    int32_t n_tokens;
    const int32_t *tokens;    /* [n_tokens] token ids */
    const int32_t *positions; /* [n_tokens] */
    const int32_t *seq_ids;   /* [n_tokens] sequence index 0..n_seqs-1 */
    int32_t n_seqs;
    int32_t max_blocks_per_seq;
    const int32_t *block_tables; /* [n_seqs * max_blocks_per_seq]; unused entries -1 */
    /* [n_seqs] 1: sample a token after the sequence's last token in this batch; 0: no output
     * (a prompt chunk that does not end the prompt). */
    const uint8_t *sample;
    const llcuda_sampling_params *sampling; /* [n_seqs]; may be NULL when no sequence samples */
    /* Penalty history per sequence: tokens history[history_offsets[s] .. history_offsets[s+1]).
     * May be NULL (no history) when no sequence uses penalties. */
    const int32_t *history_offsets; /* [n_seqs + 1] */
    const int32_t *history;
    /* [n_tokens] or NULL: 1 = write the full logits row of this token to out->logits. */
    const uint8_t *logits_rows;
    /* Constrained decoding: NULL, or [n_seqs * allowed_words] bitmasks; sequence s samples only
     * tokens t whose bit t % 32 of word allowed_tokens[s * allowed_words + t / 32] is set (the
     * others count as logit -inf, before penalties and every filter). allowed_words must be
     * (n_vocab + 31) / 32 (bits past n_vocab are ignored), and a sampled sequence must allow some
     * token; an unconstrained sequence passes all ones. Both backends' samplers honour it. */
    int32_t allowed_words;
    const uint32_t *allowed_tokens;
    /* LoRA adapters: NULL seq_adapters runs every sequence on the base model alone; otherwise
     * sequence s runs with adapters[seq_adapters[s]] (-1: none). Every adapter must be loaded on
     * this step's model; one batch may mix any number of them. */
    int32_t n_adapters;
    llcuda_adapter *const *adapters; /* [n_adapters] */
    const int32_t *seq_adapters;     /* [n_seqs] */
    /* Alternatives per sampled sequence in out->top_tokens/out->top_logprobs: 0 (none) to
     * LLCUDA_MAX_TOP_LOGPROBS; more than 0 needs out->model_logprobs too. */
    int32_t n_top_logprobs;
    /* Stacked LoRA adapters, instead of seq_adapters (set one of the two): sequence s runs with
     * adapters[adapter_stack[i]], its scale times adapter_stack_scales[i] (finite), for every i in
     * [adapter_stack_offsets[s], adapter_stack_offsets[s + 1]) - an empty range: the base model. At
     * most LLCUDA_MAX_ADAPTER_STACK adapters per sequence, each at most once. */
    const int32_t *adapter_stack_offsets; /* [n_seqs + 1], starting at 0, non-decreasing */
    const int32_t *adapter_stack;         /* [adapter_stack_offsets[n_seqs]] */
    const float *adapter_stack_scales;    /* [adapter_stack_offsets[n_seqs]] */
    /* [n_seqs] or NULL (every sampled sequence): with out->model_logprobs, 1 = compute sequence s's
     * model log-probability and top alternatives, 0 = skip them (reported as for a sequence not
     * sampled), so a step computes them only for the requests that ask. */
    const uint8_t *logprob_seqs;
} llcuda_batch;

#define LLCUDA_MAX_ADAPTER_STACK 4

#define LLCUDA_MAX_TOP_LOGPROBS 20

/* out->sampled of a sampling sequence whose logits row has no finite value: that sequence alone
 * failed (e.g. NaN weights); the step itself succeeds. */
#define LLCUDA_SAMPLE_NO_FINITE_LOGIT (-2)

typedef struct llcuda_step_output {
    int32_t *sampled;        /* [n_seqs]; -1 for sequences not sampled, or LLCUDA_SAMPLE_NO_FINITE_LOGIT */
    float *logprobs;         /* [n_seqs] or NULL: log-probability of the sampled token */
    float *logits;           /* [rows * n_vocab] or NULL: rows flagged in logits_rows, in batch order */
    int64_t logits_capacity; /* floats available in `logits` */
    /* The model's own distribution, as OpenAI's logprobs report it: the log-softmax of a sampled
     * sequence's raw logits (finite ones; before the mask, penalties, temperature and filters).
     * NULL or [n_seqs]: at the sampled token (0 for sequences not sampled or without a finite logit). */
    float *model_logprobs;
    /* [n_seqs * batch.n_top_logprobs] or NULL: per sequence its n_top_logprobs most probable tokens
     * under that distribution, most probable first (lower id first on ties), and their
     * log-probabilities; -1 and 0 past the finite logits and for sequences not sampled. */
    int32_t *top_tokens;
    float *top_logprobs;
} llcuda_step_output;

/* Runs the forward pass of the whole batch, writes its K/V into the cache and samples. */
LLCUDA_API llcuda_status llcuda_step(llcuda_model *model, llcuda_kv_cache *cache, const llcuda_batch *batch,
                                     llcuda_step_output *out);

/* ---------------------------------------------------------------- embeddings */

/* Embeds `n_seqs` inputs of an encoder model (LLCUDA_ARCH_BERT) in one pass, without padding:
 * input s is tokens[seq_offsets[s] .. seq_offsets[s+1]) (offsets start at 0, never decrease, end at
 * n_tokens; every input has 1..n_ctx tokens). Each input attends to its own tokens only. Writes
 * n_seqs rows of n_embd floats to `out` (pooled as the model's pooling_type says, L2-normalised);
 * `out_capacity` is the floats available there. No KV cache is involved. */
LLCUDA_API llcuda_status llcuda_embed(llcuda_model *model, int32_t n_seqs, const int32_t *seq_offsets,
                                      const int32_t *tokens, int32_t n_tokens, float *out, int64_t out_capacity);

/* ---------------------------------------------------------------- utilities */

/* Quantizes `n` floats (a multiple of the type's block size) into `dst` in GGUF block layout.
 * Used by the model generator and by tests. */
LLCUDA_API llcuda_status llcuda_quantize(int32_t type, const float *src, int64_t n, void *dst, uint64_t dst_capacity,
                                         uint64_t *written);
/* Dequantizes `n` elements of GGUF block data to floats (reference path). */
LLCUDA_API llcuda_status llcuda_dequantize(int32_t type, const void *src, uint64_t src_size, int64_t n, float *dst);

/* ---------------------------------------------------------------- LoRA adapters */

/* A low-rank adapter resident beside its base model: a projection W of the base model computes
 * y = W x + scale * B (A x) for the sequences that run with it, where per pair of tensors
 * scale = user_scale * alpha / rank (user_scale alone when alpha is 0, as llama.cpp).
 * The spec is the adapter file's tensor table, as llama.cpp's converter writes it: for a base tensor
 * "blk.N.P.weight" (P: attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down) the pair
 * "blk.N.P.weight.lora_a" [n_in, rank] and "blk.N.P.weight.lora_b" [rank, n_out]. */
typedef struct llcuda_adapter_spec {
    float alpha;      /* adapter.lora.alpha; 0: no alpha / rank factor */
    float user_scale; /* finite; 1: the adapter as trained */
    int32_t n_tensors;
    const llcuda_tensor_desc *tensors;
} llcuda_adapter_spec;

/* Checks every tensor against the base model (names, shapes, types, bounds of `path`) and copies
 * them into memory the adapter owns, as llcuda_model_load does; the adapter keeps its model alive.
 * Decoders llama, qwen2 and qwen3 on the CPU and CUDA backends (others: LLCUDA_ERR_UNSUPPORTED); the CUDA
 * backend holds the pairs in FP32 and takes ranks up to 256. */
LLCUDA_API llcuda_status llcuda_adapter_load(llcuda_model *model, const char *path, const llcuda_adapter_spec *spec,
                                             llcuda_adapter **out);
LLCUDA_API void llcuda_adapter_free(llcuda_adapter *adapter);
LLCUDA_API const char *llcuda_adapter_last_error(const llcuda_adapter *adapter);
/* Bytes of backend memory the adapter's tensors occupy. */
LLCUDA_API llcuda_status llcuda_adapter_bytes(llcuda_adapter *adapter, uint64_t *out);

/* ---------------------------------------------------------------- load progress */

/* Told how far a model load is: bytes of weights copied into the model's memory so far, of
 * `total` (every distinct tensor once). Called on the loading thread, after each piece of at most
 * 64 MiB, with `done` growing to `total`; it must return quickly and never call back into llcuda. */
typedef void (*llcuda_load_progress_fn)(uint64_t done, uint64_t total, void *user_data);

/* llcuda_model_load, reporting progress to `progress` (NULL: none). */
LLCUDA_API llcuda_status llcuda_model_load_with_progress(llcuda_backend *backend, const char *gguf_path,
                                                         const llcuda_model_spec *spec,
                                                         llcuda_load_progress_fn progress, void *user_data,
                                                         llcuda_model **out);

/* ---------------------------------------------------------------- several devices */

/* One model over the CUDA devices devices[0 .. n_devices) of this host (2 to 8 distinct ordinals;
 * one device is llcuda_backend_create + llcuda_model_load). Checks the spec against `gguf_path`,
 * plans the split (tensor parallel when the heads, KV heads and quantized blocks divide over the
 * devices, layers per device otherwise, the plan saying why) and opens the system's NCCL
 * (libnccl.so.2, loaded only here: LLCUDA_ERR_UNSUPPORTED naming it and how to install it when
 * missing). This build has no multi-device execution yet: it then returns LLCUDA_ERR_UNSUPPORTED
 * with the plan in llcuda_last_error(), and *out stays NULL. */
LLCUDA_API llcuda_status llcuda_model_load_on_devices(const int32_t *devices, int32_t n_devices, const char *gguf_path,
                                                      const llcuda_model_spec *spec, llcuda_model **out);

#ifdef __cplusplus
}
#endif

#endif /* LLCUDA_H */
