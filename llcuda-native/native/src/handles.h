// What the opaque ABI handles hold. Shared ownership keeps free order free: a model holds its
// backend, a cache holds its model; the device objects die in reverse order of creation.
#pragma once

#include <memory>
#include <string>

#include "backend.h"
#include "model_spec.h"

namespace llcuda {

// Set after a device or internal error: the object must not be used again.
struct FailureMark {
    bool failed = false;
    std::string reason;
};

struct BackendState {
    std::unique_ptr<Backend> impl;
    FailureMark failure;
};

struct ModelState {
    std::shared_ptr<BackendState> backend;
    ModelSpec spec;                      // validated hyper-parameters and tensor table (no weight bytes)
    std::unique_ptr<BackendModel> impl;  // declared last: destroyed first
    FailureMark failure;
};

struct AdapterState {
    std::shared_ptr<ModelState> model;
    std::unique_ptr<BackendAdapter> impl;  // declared after `model`: destroyed first
};

}  // namespace llcuda

struct llcuda_backend {
    std::shared_ptr<llcuda::BackendState> state;
    std::string last_error;
};

struct llcuda_model {
    std::shared_ptr<llcuda::ModelState> state;
    std::string last_error;
};

struct llcuda_kv_cache {
    std::shared_ptr<llcuda::ModelState> model;
    std::unique_ptr<llcuda::BackendKvCache> impl;  // declared after `model`: destroyed first
    llcuda::FailureMark failure;
    std::string last_error;
};

struct llcuda_adapter {
    llcuda::AdapterState state;
    std::string last_error;
};
