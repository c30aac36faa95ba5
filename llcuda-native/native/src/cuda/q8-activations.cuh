// Activations as 8-bit blocks for the decode products: every 16 consecutive elements of a token
// row become 16 int8 values `hi` on the scale d = amax/127 plus 16 int8 values `lo` for the
// remainder on the scale d/256, so x ~= d/256 * (256*hi + lo) to about 1e-5 of the block's
// largest element. The weights stay integers too, and the products run on dp4a (sm_61+).
// Quantized once where the activations are produced (RMSNorm, SwiGLU), read by every product
// that consumes them.
#pragma once

#include "kernels.cuh"

namespace llcuda::cuda {

#if defined(__CUDACC__)
// v: 16 values; q: 32 bytes (hi then lo, 16-byte aligned); ds: (d/256, sum of the 16 quantized values).
__device__ __forceinline__ void quantize_chunk16(const float v[16], uint8_t *q, float2 *ds) {
    float amax = 0.0f;
#pragma unroll
    for (int i = 0; i < 16; ++i) amax = fmaxf(amax, fabsf(v[i]));
    const float d = amax / 127.0f;
    const float inv_hi = amax > 0.0f ? 127.0f / amax : 0.0f;
    const float inv_lo = 256.0f * inv_hi;
    uint32_t hi[4] = {0, 0, 0, 0}, lo[4] = {0, 0, 0, 0};
    int sum = 0;
#pragma unroll
    for (int i = 0; i < 16; ++i) {
        const int a = max(-127, min(127, __float2int_rn(v[i] * inv_hi)));
        const int b = max(-127, min(127, __float2int_rn((v[i] - d * static_cast<float>(a)) * inv_lo)));
        hi[i / 4] |= static_cast<uint32_t>(a & 0xff) << (8 * (i % 4));
        lo[i / 4] |= static_cast<uint32_t>(b & 0xff) << (8 * (i % 4));
        sum += 256 * a + b;
    }
    *reinterpret_cast<uint4 *>(q) = make_uint4(hi[0], hi[1], hi[2], hi[3]);
    *reinterpret_cast<uint4 *>(q + 16) = make_uint4(lo[0], lo[1], lo[2], lo[3]);
    const float unit = d / 256.0f;
    *ds = make_float2(unit, unit * static_cast<float>(sum));
}

// A warp's row of D values in shared memory (written by the warp, synchronized before the call)
// into 8-bit blocks first_chunk, first_chunk + 1, ...: one lane per 16-element block.
template <int D>
__device__ __forceinline__ void quantize_row_by_warp(const float *row, uint8_t *q, float2 *ds, int64_t first_chunk) {
    const int lane = threadIdx.x % kWarpSize;
    if (lane < D / 16) quantize_chunk16(row + 16 * lane, q + 32 * (first_chunk + lane), ds + first_chunk + lane);
}
#endif

}  // namespace llcuda::cuda
