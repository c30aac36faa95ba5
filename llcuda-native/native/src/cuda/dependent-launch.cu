#include <atomic>

#include "dependent-launch.cuh"

namespace llcuda::cuda {
namespace {

// Compiled like every kernel of the library, so its PTX version is theirs on any device.
__global__ void probe_kernel() {}

constexpr int kMaxDevices = 64;
std::atomic<int> g_state[kMaxDevices];  // per device: 0 not asked yet, 1 no, 2 yes

}  // namespace

bool dependent_launches() {
    int device = 0;
    LLCUDA_CUDA_CHECK(cudaGetDevice(&device));
    if (device < 0 || device >= kMaxDevices) return false;
    const int known = g_state[device].load(std::memory_order_relaxed);
    if (known != 0) return known == 2;
    int major = 0;
    LLCUDA_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device));
    cudaFuncAttributes probe{};
    LLCUDA_CUDA_CHECK(cudaFuncGetAttributes(&probe, probe_kernel));
    const bool yes = major >= 9 && probe.ptxVersion >= 90;
    g_state[device].store(yes ? 2 : 1, std::memory_order_relaxed);
    return yes;
}

}  // namespace llcuda::cuda
