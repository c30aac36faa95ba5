// Choosing the product for a weight type and token count, kept apart from the kernels.
#include "kernels.cuh"

namespace llcuda::cuda {

// Up to kMatVecMaxTokens tokens the product is bound by reading the weights once: the decode
// kernels do that, on 8-bit activations for the quantized types when the caller has them (their
// error, ~1e-5 of each 16-element block's largest value, is far below the weights' own) and on FP32
// activations otherwise. Beyond, the tensor cores win. F32 weights always take the FP32 path:
// rounding them to FP16 would cost the precision that F32 models are chosen for. F16 and BF16
// weights have no 8-bit path, and their FP32 mat-vec turns compute-bound from a few tokens on (H200,
// TinyLlama F16 decode: 4 sequences 1,604 -> 2,147 t/s on the tensor cores, 8 sequences 2,100 -> 4,188).
constexpr int kHalfWeightTensorCoreTokens = 4;

bool use_tensor_cores(int32_t type, int m) {
    if (type == LLCUDA_TYPE_F32) return false;
    if (type == LLCUDA_TYPE_F16 || type == LLCUDA_TYPE_BF16) return m >= kHalfWeightTensorCoreTokens;
    return m > kMatVecMaxTokens;
}

// NF4's float code book has no integer form (int-quants.cuh): its decode products take FP32 activations.
bool uses_q8_activations(int32_t type, int m) {
    return m <= kMatVecMaxTokens && type != LLCUDA_TYPE_F32 && type != LLCUDA_TYPE_F16 && type != LLCUDA_TYPE_BF16 &&
           type != LLCUDA_TYPE_NF4;
}

void mat_mul(const DeviceMatrix &w, const float *x, int ldx, int m, float *y, int ldy, bool accumulate, int sm_count,
             const HalfScratch &x16, cudaStream_t stream, const Q8Activations *xq) {
    if (xq && uses_q8_activations(w.type, m)) {
        mat_vec_q8(w, *xq, m, y, ldy, accumulate, stream);
        return;
    }
    if (use_tensor_cores(w.type, m)) {
        mat_mul_tensor_cores(w, x, ldx, m, y, ldy, accumulate, sm_count, x16, stream);
        return;
    }
    mat_vec(w, x, ldx, m, y, ldy, accumulate, stream);
}

}  // namespace llcuda::cuda
