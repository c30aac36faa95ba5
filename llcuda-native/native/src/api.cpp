// The C ABI: argument checks, the exception firewall and handle lifetimes. Nothing thrown inside
// the library crosses this file; every failure becomes a status plus a readable message.
#include <cmath>
#include <cstring>
#include <new>
#include <string>

#include "adapter_spec.h"
#include "batch_validation.h"
#include "cpu/cpu_features.h"
#include "error.h"
#include "ggml_blocks.h"
#include "handles.h"
#include "model_file.h"
#include "nccl_library.h"
#include "partition.h"
#include "quants.h"

using llcuda::Error;
using llcuda::fail;
using llcuda::FailureMark;
using llcuda::require;

#ifndef LLCUDA_VERSION
#define LLCUDA_VERSION "0.1.0"
#endif
#ifndef LLCUDA_CUDA_ARCH_LIST
#define LLCUDA_CUDA_ARCH_LIST "none"
#endif

namespace {

thread_local std::string t_last_error;

// Most tokens one llcuda_embed call may carry.
constexpr int32_t kMaxEmbedTokens = 1 << 20;

// Largest KV pool one cache may describe (positions over all blocks).
constexpr int64_t kMaxCachePositions = int64_t{1} << 30;
constexpr int32_t kMaxBlockSize = 4096;

void store(std::string *slot, const char *message) noexcept {
    if (slot == nullptr) return;
    try {
        *slot = message;
    } catch (...) {
        slot->clear();  // out of memory while recording: the thread-local copy may still hold it
    }
}

llcuda_status record(llcuda_status status, const char *message, std::string *a, std::string *b) noexcept {
    store(&t_last_error, message);
    store(a, message);
    store(b, message);
    return status;
}

// Runs `body`, turning every exception into a status and message on the thread and on up to two
// handles. `on_error(status)` marks handles failed for device and internal errors.
template <class Body, class OnError>
llcuda_status guarded(std::string *a, std::string *b, Body &&body, OnError &&on_error) noexcept {
    llcuda_status status = LLCUDA_OK;
    try {
        body();
        return LLCUDA_OK;
    } catch (const Error &e) {
        status = record(e.status(), e.what(), a, b);
    } catch (const std::bad_alloc &) {
        status = record(LLCUDA_ERR_OUT_OF_MEMORY, "host memory allocation failed (out of memory)", a, b);
    } catch (const std::exception &e) {
        status = record(LLCUDA_ERR_INTERNAL, e.what(), a, b);
    } catch (...) {
        status = record(LLCUDA_ERR_INTERNAL, "unknown internal error", a, b);
    }
    if (status == LLCUDA_ERR_DEVICE || status == LLCUDA_ERR_INTERNAL) {
        try {
            on_error(status);
        } catch (...) {
        }
    }
    return status;
}

template <class Body>
llcuda_status guarded(std::string *a, Body &&body) noexcept {
    return guarded(a, nullptr, std::forward<Body>(body), [](llcuda_status) {});
}

void mark(FailureMark &m, const std::string &reason) {
    m.failed = true;
    m.reason = reason;
}

void check_usable(const FailureMark &m, const char *what) {
    if (m.failed) {
        fail(LLCUDA_ERR_FAILED_STATE,
             std::string("the ") + what + " failed earlier (" + m.reason + "); free it and create a new one");
    }
}

void check_model(const llcuda_model *model) {
    require(model != nullptr && model->state != nullptr, "model handle is NULL");
    check_usable(model->state->backend->failure, "backend");
    check_usable(model->state->failure, "model");
}

void check_cache_shape(const llcuda_model *model, int32_t n_blocks, int32_t block_size, int32_t kv_type) {
    check_model(model);
    require(!model->state->spec.is_encoder(),
            "the model is an encoder (bert): it has no KV cache; embed with llcuda_embed");
    require(n_blocks >= 1, "n_blocks = " + std::to_string(n_blocks) + " must be >= 1");
    require(block_size >= 1 && block_size <= kMaxBlockSize,
            "block_size = " + std::to_string(block_size) + " is outside [1, " + std::to_string(kMaxBlockSize) + "]");
    require(static_cast<int64_t>(n_blocks) * block_size <= kMaxCachePositions,
            "n_blocks * block_size = " + std::to_string(static_cast<int64_t>(n_blocks) * block_size) + " exceeds " +
                std::to_string(kMaxCachePositions) + " positions");
    if (kv_type != LLCUDA_TYPE_F16 && kv_type != LLCUDA_TYPE_Q8_0) {
        fail(LLCUDA_ERR_UNSUPPORTED, "kv_type " + std::to_string(kv_type) + " is not supported (F16 = 1 or Q8_0 = 8)");
    }
}

void copy_reason(const std::string &reason, char *dst, size_t capacity) {
    if (dst == nullptr || capacity == 0) return;
    const size_t n = reason.size() < capacity - 1 ? reason.size() : capacity - 1;
    std::memcpy(dst, reason.data(), n);
    dst[n] = '\0';
}

std::string build_info() {
    return std::string("llcuda ") + LLCUDA_VERSION + " cpu=" + llcuda::simd_level_name(llcuda::cpu_simd_level()) +
           " cuda=" + LLCUDA_CUDA_ARCH_LIST;
}

}  // namespace

extern "C" {

LLCUDA_API int32_t llcuda_abi_version(void) {
    return LLCUDA_ABI_VERSION;
}

LLCUDA_API const char *llcuda_build_info(void) {
    try {
        static const std::string info = build_info();
        return info.c_str();
    } catch (...) {
        return "llcuda " LLCUDA_VERSION;
    }
}

LLCUDA_API const char *llcuda_last_error(void) {
    return t_last_error.c_str();
}

LLCUDA_API int32_t llcuda_cuda_device_count(char *reason, size_t reason_capacity) {
    int32_t count = 0;
    std::string why;
    const llcuda_status status = guarded(nullptr, [&] { count = llcuda::cuda_device_count(why); });
    if (status != LLCUDA_OK) {
        copy_reason(t_last_error, reason, reason_capacity);
        return 0;
    }
    copy_reason(count > 0 ? std::string() : why, reason, reason_capacity);
    return count;
}

LLCUDA_API llcuda_status llcuda_cuda_device_info(int32_t device, llcuda_device_info *out) {
    return guarded(nullptr, [&] {
        require(out != nullptr, "out is NULL");
        *out = llcuda::cuda_device_info(device);
    });
}

LLCUDA_API llcuda_status llcuda_backend_create(int32_t kind, int32_t device, int32_t n_threads, llcuda_backend **out) {
    return guarded(nullptr, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        auto state = std::make_shared<llcuda::BackendState>();
        if (kind == LLCUDA_BACKEND_CPU) {
            require(n_threads <= 1024, "n_threads = " + std::to_string(n_threads) + " exceeds 1024");
            state->impl = llcuda::create_cpu_backend(n_threads);
        } else if (kind == LLCUDA_BACKEND_CUDA) {
            require(device >= 0, "CUDA device ordinal " + std::to_string(device) + " is negative");
            state->impl = llcuda::create_cuda_backend(device);
        } else {
            fail(LLCUDA_ERR_INVALID_ARGUMENT, "unknown backend kind " + std::to_string(kind) + " (CPU = 0, CUDA = 1)");
        }
        auto *handle = new llcuda_backend();
        handle->state = std::move(state);
        *out = handle;
    });
}

LLCUDA_API void llcuda_backend_free(llcuda_backend *backend) {
    delete backend;
}

LLCUDA_API const char *llcuda_backend_last_error(const llcuda_backend *backend) {
    return backend != nullptr ? backend->last_error.c_str() : "backend handle is NULL";
}

LLCUDA_API llcuda_status llcuda_backend_info(llcuda_backend *backend, llcuda_device_info *out) {
    std::string *err = backend != nullptr ? &backend->last_error : nullptr;
    return guarded(
        err, nullptr,
        [&] {
            require(backend != nullptr && out != nullptr, "backend or out is NULL");
            check_usable(backend->state->failure, "backend");
            *out = backend->state->impl->info();
        },
        [&](llcuda_status s) {
            if (s == LLCUDA_ERR_DEVICE) mark(backend->state->failure, t_last_error);
        });
}

LLCUDA_API llcuda_status llcuda_model_load(llcuda_backend *backend, const char *gguf_path,
                                           const llcuda_model_spec *spec, llcuda_model **out) {
    return llcuda_model_load_with_progress(backend, gguf_path, spec, nullptr, nullptr, out);
}

LLCUDA_API llcuda_status llcuda_model_load_with_progress(llcuda_backend *backend, const char *gguf_path,
                                                         const llcuda_model_spec *spec,
                                                         llcuda_load_progress_fn progress, void *user_data,
                                                         llcuda_model **out) {
    std::string *err = backend != nullptr ? &backend->last_error : nullptr;
    return guarded(
        err, nullptr,
        [&] {
            require(out != nullptr, "out is NULL");
            *out = nullptr;
            require(backend != nullptr, "backend handle is NULL");
            require(gguf_path != nullptr, "gguf_path is NULL");
            require(spec != nullptr, "spec is NULL");
            check_usable(backend->state->failure, "backend");
            auto state = std::make_shared<llcuda::ModelState>();
            state->backend = backend->state;
            llcuda::ModelFile file(gguf_path);
            state->spec = llcuda::build_model_spec(*spec, file);
            uint64_t weight_bytes = 0;
            for (const llcuda::TensorRef *t : state->spec.distinct_tensors()) weight_bytes += t->size;
            file.report_progress(progress, user_data, weight_bytes);
            state->impl = backend->state->impl->load_model(state->spec, file);
            auto *handle = new llcuda_model();
            handle->state = std::move(state);
            *out = handle;
        },
        [&](llcuda_status s) {
            if (s == LLCUDA_ERR_DEVICE) mark(backend->state->failure, t_last_error);
        });
}

LLCUDA_API void llcuda_model_free(llcuda_model *model) {
    delete model;
}

LLCUDA_API const char *llcuda_model_last_error(const llcuda_model *model) {
    return model != nullptr ? model->last_error.c_str() : "model handle is NULL";
}

LLCUDA_API llcuda_status llcuda_model_weight_bytes(llcuda_model *model, uint64_t *out) {
    return guarded(model != nullptr ? &model->last_error : nullptr, [&] {
        require(out != nullptr, "out is NULL");
        check_model(model);
        *out = model->state->impl->weight_bytes();
    });
}

LLCUDA_API llcuda_status llcuda_kv_cache_bytes(llcuda_model *model, int32_t n_blocks, int32_t block_size,
                                               int32_t kv_type, uint64_t *out) {
    return guarded(model != nullptr ? &model->last_error : nullptr, [&] {
        require(out != nullptr, "out is NULL");
        check_cache_shape(model, n_blocks, block_size, kv_type);
        *out = model->state->impl->kv_cache_bytes(n_blocks, block_size, kv_type);
    });
}

LLCUDA_API llcuda_status llcuda_kv_cache_create(llcuda_model *model, int32_t n_blocks, int32_t block_size,
                                                int32_t kv_type, llcuda_kv_cache **out) {
    std::string *err = model != nullptr ? &model->last_error : nullptr;
    return guarded(
        err, nullptr,
        [&] {
            require(out != nullptr, "out is NULL");
            *out = nullptr;
            check_cache_shape(model, n_blocks, block_size, kv_type);
            auto *handle = new llcuda_kv_cache();
            handle->model = model->state;
            try {
                handle->impl = model->state->impl->create_kv_cache(n_blocks, block_size, kv_type);
            } catch (...) {
                delete handle;
                throw;
            }
            *out = handle;
        },
        [&](llcuda_status s) {
            if (s == LLCUDA_ERR_DEVICE) mark(model->state->backend->failure, t_last_error);
        });
}

LLCUDA_API void llcuda_kv_cache_free(llcuda_kv_cache *cache) {
    delete cache;
}

LLCUDA_API const char *llcuda_kv_cache_last_error(const llcuda_kv_cache *cache) {
    return cache != nullptr ? cache->last_error.c_str() : "KV cache handle is NULL";
}

LLCUDA_API llcuda_status llcuda_step(llcuda_model *model, llcuda_kv_cache *cache, const llcuda_batch *batch,
                                     llcuda_step_output *out) {
    std::string *model_err = model != nullptr ? &model->last_error : nullptr;
    std::string *cache_err = cache != nullptr ? &cache->last_error : nullptr;
    return guarded(
        model_err, cache_err,
        [&] {
            check_model(model);
            require(cache != nullptr, "KV cache handle is NULL");
            require(cache->model == model->state, "the KV cache was created for another model");
            check_usable(cache->failure, "KV cache");
            require(batch != nullptr && out != nullptr, "batch or out is NULL");
            llcuda::StepBatch step = llcuda::validate_batch(*batch, *out, model->state->spec, cache->impl->n_blocks(),
                                                            cache->impl->block_size());
            llcuda::read_adapters(*batch, *model->state, step);
            llcuda::StepResult result;
            result.sampled = out->sampled;
            result.logprobs = out->logprobs;
            result.logits = step.n_logit_rows > 0 ? out->logits : nullptr;
            result.model_logprobs = out->model_logprobs;
            result.top_tokens = step.n_top_logprobs > 0 ? out->top_tokens : nullptr;
            result.top_logprobs = step.n_top_logprobs > 0 ? out->top_logprobs : nullptr;
            model->state->impl->step(*cache->impl, step, result);
        },
        [&](llcuda_status s) {
            // A device error poisons the device; an internal error leaves model and cache suspect.
            if (model == nullptr || cache == nullptr) return;
            if (s == LLCUDA_ERR_DEVICE) mark(model->state->backend->failure, t_last_error);
            mark(model->state->failure, t_last_error);
            mark(cache->failure, t_last_error);
        });
}

LLCUDA_API llcuda_status llcuda_embed(llcuda_model *model, int32_t n_seqs, const int32_t *seq_offsets,
                                      const int32_t *tokens, int32_t n_tokens, float *out, int64_t out_capacity) {
    return guarded(
        model != nullptr ? &model->last_error : nullptr, nullptr,
        [&] {
            check_model(model);
            const llcuda::ModelSpec &spec = model->state->spec;
            require(spec.is_encoder(),
                    "llcuda_embed needs an encoder model (bert); this one is a decoder: use llcuda_step");
            require(seq_offsets != nullptr && tokens != nullptr && out != nullptr,
                    "seq_offsets, tokens or out is NULL");
            require(n_seqs >= 1 && n_seqs <= kMaxEmbedTokens,
                    "n_seqs = " + std::to_string(n_seqs) + " is outside [1, " + std::to_string(kMaxEmbedTokens) + "]");
            require(
                n_tokens >= 1 && n_tokens <= kMaxEmbedTokens,
                "n_tokens = " + std::to_string(n_tokens) + " is outside [1, " + std::to_string(kMaxEmbedTokens) + "]");
            require(seq_offsets[0] == 0 && seq_offsets[n_seqs] == n_tokens,
                    "seq_offsets must start at 0 and end at n_tokens = " + std::to_string(n_tokens) + " (they are " +
                        std::to_string(seq_offsets[0]) + " and " + std::to_string(seq_offsets[n_seqs]) + ")");
            for (int32_t s = 0; s < n_seqs; ++s) {
                const int64_t length = static_cast<int64_t>(seq_offsets[s + 1]) - seq_offsets[s];
                require(length >= 1 && length <= spec.n_ctx,
                        "input " + std::to_string(s) + " has " + std::to_string(length) +
                            " tokens, outside [1, n_ctx = " + std::to_string(spec.n_ctx) + "]");
            }
            for (int32_t t = 0; t < n_tokens; ++t) {
                require(tokens[t] >= 0 && tokens[t] < spec.n_vocab,
                        "token " + std::to_string(t) + " = " + std::to_string(tokens[t]) +
                            " is outside [0, n_vocab = " + std::to_string(spec.n_vocab) + ")");
            }
            require(out_capacity >= static_cast<int64_t>(n_seqs) * spec.n_embd,
                    "out holds " + std::to_string(out_capacity) + " floats, " + std::to_string(n_seqs) +
                        " embeddings of " + std::to_string(spec.n_embd) + " need " +
                        std::to_string(static_cast<int64_t>(n_seqs) * spec.n_embd));
            llcuda::EmbedBatch batch;
            batch.n_seqs = n_seqs;
            batch.offsets = seq_offsets;
            batch.tokens = tokens;
            model->state->impl->embed(batch, out);
        },
        [&](llcuda_status s) {
            if (model == nullptr) return;
            if (s == LLCUDA_ERR_DEVICE) mark(model->state->backend->failure, t_last_error);
            mark(model->state->failure, t_last_error);
        });
}

LLCUDA_API llcuda_status llcuda_adapter_load(llcuda_model *model, const char *path, const llcuda_adapter_spec *spec,
                                             llcuda_adapter **out) {
    std::string *err = model != nullptr ? &model->last_error : nullptr;
    return guarded(
        err, nullptr,
        [&] {
            require(out != nullptr, "out is NULL");
            *out = nullptr;
            check_model(model);
            require(path != nullptr, "path is NULL");
            require(spec != nullptr, "spec is NULL");
            const llcuda::ModelFile file(path);
            llcuda::AdapterSpec adapter = llcuda::build_adapter_spec(*spec, model->state->spec, file);
            auto *handle = new llcuda_adapter();
            handle->state.model = model->state;
            try {
                handle->state.impl = model->state->impl->load_adapter(std::move(adapter), file);
            } catch (...) {
                delete handle;
                throw;
            }
            *out = handle;
        },
        [&](llcuda_status s) {
            if (s == LLCUDA_ERR_DEVICE) mark(model->state->backend->failure, t_last_error);
        });
}

LLCUDA_API void llcuda_adapter_free(llcuda_adapter *adapter) {
    delete adapter;
}

LLCUDA_API const char *llcuda_adapter_last_error(const llcuda_adapter *adapter) {
    return adapter != nullptr ? adapter->last_error.c_str() : "adapter handle is NULL";
}

LLCUDA_API llcuda_status llcuda_adapter_bytes(llcuda_adapter *adapter, uint64_t *out) {
    return guarded(adapter != nullptr ? &adapter->last_error : nullptr, [&] {
        require(out != nullptr, "out is NULL");
        require(adapter != nullptr, "adapter handle is NULL");
        *out = adapter->state.impl->bytes();
    });
}

LLCUDA_API llcuda_status llcuda_quantize(int32_t type, const float *src, int64_t n, void *dst, uint64_t dst_capacity,
                                         uint64_t *written) {
    return guarded(nullptr, [&] {
        if (written != nullptr) *written = 0;
        require(src != nullptr && dst != nullptr, "src or dst is NULL");
        const uint64_t bytes = llcuda::row_bytes(type, n);
        require(dst_capacity >= bytes, "dst holds " + std::to_string(dst_capacity) + " bytes, " + std::to_string(n) +
                                           " elements of " + llcuda::type_traits(type)->name + " need " +
                                           std::to_string(bytes));
        for (int64_t i = 0; i < n; ++i) {
            require(std::isfinite(src[i]), "src[" + std::to_string(i) + "] is not finite");
        }
        llcuda::quantize_row(type, src, dst, n);
        if (written != nullptr) *written = bytes;
    });
}

LLCUDA_API llcuda_status llcuda_dequantize(int32_t type, const void *src, uint64_t src_size, int64_t n, float *dst) {
    return guarded(nullptr, [&] {
        require(src != nullptr && dst != nullptr, "src or dst is NULL");
        const uint64_t bytes = llcuda::row_bytes(type, n);
        require(src_size >= bytes, "src holds " + std::to_string(src_size) + " bytes, " + std::to_string(n) +
                                       " elements of " + llcuda::type_traits(type)->name + " need " +
                                       std::to_string(bytes));
        llcuda::dequantize_row(type, src, dst, n);
    });
}

}  // extern "C"

LLCUDA_API llcuda_status llcuda_model_load_on_devices(const int32_t *devices, int32_t n_devices, const char *gguf_path,
                                                      const llcuda_model_spec *spec, llcuda_model **out) {
    return guarded(nullptr, [&] {
        require(out != nullptr, "out is NULL");
        *out = nullptr;
        require(devices != nullptr, "devices is NULL");
        require(gguf_path != nullptr, "gguf_path is NULL");
        require(spec != nullptr, "spec is NULL");
        require(n_devices >= 2 && n_devices <= llcuda::kMaxPartitionDevices,
                "n_devices " + std::to_string(n_devices) + " is outside 2.." +
                    std::to_string(llcuda::kMaxPartitionDevices) + " (one device: llcuda_model_load)");
        for (int32_t i = 0; i < n_devices; ++i) {
            require(devices[i] >= 0, "CUDA device ordinal " + std::to_string(devices[i]) + " is negative");
            for (int32_t j = 0; j < i; ++j)
                require(devices[j] != devices[i], "CUDA device " + std::to_string(devices[i]) + " is listed twice");
        }
        const llcuda::ModelFile file(gguf_path);
        const llcuda::ModelSpec model = llcuda::build_model_spec(*spec, file);
        const llcuda::PartitionPlan plan = llcuda::plan_partition(model, n_devices, 0, LLCUDA_TYPE_F16);
        llcuda::nccl();
        llcuda::fail(LLCUDA_ERR_UNSUPPORTED,
                     std::string(plan.mode == llcuda::PartitionMode::Tensor ? "tensor-parallel" : "pipeline") +
                         " execution over " + std::to_string(n_devices) +
                         " devices is not available in this build; plan: " + plan.describe());
    });
}
