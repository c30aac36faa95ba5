// Embedding lookup: the token's row of the table, dequantized from its GGUF blocks to FP32 and scaled.
#include "int-quants.cuh"
#include "kernels.cuh"

namespace llcuda::cuda {
namespace {

template <int TYPE>
__global__ void embed_kernel(const uint8_t *__restrict__ table, uint64_t row_bytes, int n_embd,
                             const int32_t *__restrict__ tokens, float scale, float *__restrict__ out) {
    const uint8_t *row = table + static_cast<int64_t>(tokens[blockIdx.x]) * row_bytes;
    float *dst = out + static_cast<int64_t>(blockIdx.x) * n_embd;
    for (int c = threadIdx.x; c < n_embd / 16; c += blockDim.x) {
        float v[16];
        Dequant<TYPE>::chunk16(row, 16 * c, v);
#pragma unroll
        for (int i = 0; i < 16; i += 4)
            *reinterpret_cast<float4 *>(dst + 16 * c + i) =
                make_float4(v[i] * scale, v[i + 1] * scale, v[i + 2] * scale, v[i + 3] * scale);
    }
}

template <int TYPE>
void launch_embed(const DeviceMatrix &table, const int32_t *tokens, int n_tokens, float *out, cudaStream_t stream,
                  float scale) {
    embed_kernel<TYPE>
        <<<n_tokens, 128, 0, stream>>>(table.data, table.row_bytes, static_cast<int>(table.cols), tokens, scale, out);
    LLCUDA_CUDA_CHECK_LAUNCH();
}

}  // namespace

void embed_tokens(const DeviceMatrix &table, const int32_t *tokens, int n_tokens, float *out, cudaStream_t stream,
                  float scale) {
    require(table.cols % 16 == 0, "embedding: n_embd " + std::to_string(table.cols) + " is not a multiple of 16");
    if (n_tokens == 0) return;
    LLCUDA_DISPATCH_WEIGHT_TYPE(table.type, launch_embed, table, tokens, n_tokens, out, stream, scale);
}

}  // namespace llcuda::cuda
