#include "cpu/matmul.h"

#include <algorithm>

#include "ggml_blocks.h"

namespace llcuda {

namespace {
// Weight rows per tile: a tile's rows stay in cache while every activation row passes over them.
constexpr int64_t kRowTile = 16;
}  // namespace

void matmul(const CpuKernels &kernels, ThreadPool &pool, const TensorRef &w, const float *bias, const float *x,
            int64_t n_x, float *y, std::vector<uint8_t> &act_scratch) {
    const int64_t cols = w.cols(), rows = w.rows();
    const WeightKernel &kernel = kernels.for_type(w.type);
    const size_t act_bytes = act_row_bytes(kernel.act, cols);
    act_scratch.resize(act_bytes * static_cast<size_t>(n_x));
    uint8_t *act = act_scratch.data();
    pool.parallel_for(n_x, 1, [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) kernels.quantize(kernel.act, x + t * cols, act + t * act_bytes, cols);
    });
    const uint64_t w_row_bytes = row_bytes(w.type, cols);
    pool.parallel_for(rows, kRowTile, [&](int64_t begin, int64_t end) {
        for (int64_t r0 = begin; r0 < end; r0 += kRowTile) {
            const int64_t r1 = std::min(end, r0 + kRowTile);
            int64_t t = 0;
            // Prompt tiles: four tokens per pass over a weight row where the kernel supports it.
            for (; kernel.dot4 != nullptr && t + 4 <= n_x; t += 4) {
                for (int64_t r = r0; r < r1; ++r) {
                    float out[4];
                    kernel.dot4(cols, w.data + r * w_row_bytes, act + t * act_bytes, act_bytes, out);
                    for (int k = 0; k < 4; ++k) y[(t + k) * rows + r] = out[k] + (bias != nullptr ? bias[r] : 0.0f);
                }
            }
            for (; t < n_x; ++t) {
                const uint8_t *a = act + t * act_bytes;
                float *yt = y + t * rows;
                for (int64_t r = r0; r < r1; ++r) {
                    yt[r] = kernel.dot(cols, w.data + r * w_row_bytes, a) + (bias != nullptr ? bias[r] : 0.0f);
                }
            }
        }
    });
}

}  // namespace llcuda
