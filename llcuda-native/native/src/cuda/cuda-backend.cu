// The CUDA backend entry points: device enumeration and information, and the Backend handle of
// one device (models loaded on it).
#include <cstdio>

#include "backend.h"
#include "cuda-encoder.cuh"
#include "cuda-model.cuh"

namespace llcuda {
namespace {

using cuda::kMinComputeMajor;
using cuda::kMinComputeMinor;

std::string format_uuid(const cudaUUID_t &uuid) {
    const auto *b = reinterpret_cast<const unsigned char *>(uuid.bytes);
    char text[64];
    std::snprintf(text, sizeof(text), "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                  b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return text;
}

class CudaBackend final : public Backend {
  public:
    explicit CudaBackend(int32_t device) : device_(device) {
        const llcuda_device_info info = cuda_device_info(device);
        if (info.compute_major * 10 + info.compute_minor < kMinComputeMajor * 10 + kMinComputeMinor)
            fail(LLCUDA_ERR_UNSUPPORTED, std::string("CUDA device ") + std::to_string(device) + " (" + info.name +
                                             ") has compute capability " + std::to_string(info.compute_major) + "." +
                                             std::to_string(info.compute_minor) + "; llcuda needs 7.5 or newer");
    }
    llcuda_device_info info() const override { return cuda_device_info(device_); }
    std::unique_ptr<BackendModel> load_model(const ModelSpec &spec, const ModelFile &file) override {
        if (spec.is_encoder()) return std::make_unique<cuda::CudaEncoder>(device_, spec, file);
        return std::make_unique<cuda::CudaModel>(device_, spec, file);
    }

  private:
    int32_t device_;
};

}  // namespace

int32_t cuda_device_count(std::string &reason) {
    int count = 0;
    const cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
        cudaGetLastError();
        reason = std::string("no usable CUDA driver or device: ") + cudaGetErrorString(err);
        return 0;
    }
    if (count == 0) reason = "the CUDA driver reports no device";
    return count;
}

llcuda_device_info cuda_device_info(int32_t device) {
    std::string reason;
    const int32_t count = cuda_device_count(reason);
    if (device < 0 || device >= count)
        fail(LLCUDA_ERR_INVALID_ARGUMENT, "CUDA device " + std::to_string(device) + " does not exist (" +
                                              std::to_string(count) + " devices" +
                                              (reason.empty() ? "" : ": " + reason) + ")");
    cudaDeviceProp prop{};
    LLCUDA_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
    LLCUDA_CUDA_CHECK(cudaSetDevice(device));
    size_t free_bytes = 0, total_bytes = 0;
    LLCUDA_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    int driver = 0;
    LLCUDA_CUDA_CHECK(cudaDriverGetVersion(&driver));
    llcuda_device_info info{};
    std::snprintf(info.name, sizeof(info.name), "%s", prop.name);
    std::snprintf(info.uuid, sizeof(info.uuid), "%s", format_uuid(prop.uuid).c_str());
    info.kind = LLCUDA_BACKEND_CUDA;
    info.device = device;
    info.compute_major = prop.major;
    info.compute_minor = prop.minor;
    info.multiprocessors = prop.multiProcessorCount;
    info.driver_version = driver;
    info.memory_total = total_bytes;
    info.memory_free = free_bytes;
    return info;
}

std::unique_ptr<Backend> create_cuda_backend(int32_t device) {
    return std::make_unique<CudaBackend>(device);
}

}  // namespace llcuda
