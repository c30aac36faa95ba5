#include "cpu/matmul.h"

#include <algorithm>

#include "ggml_blocks.h"

namespace llcuda {

namespace {
// Weight rows per tile: a tile's rows stay in cache while every activation row passes over them.
// A multiple of the tile kernels' row blocks (3 rows for AVX2), so that only a matrix's last tile
// has a remainder.
constexpr int64_t kRowTile = 24;
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
            const int64_t n_rows = std::min(end, r0 + kRowTile) - r0;
            const uint8_t *wt = w.data + r0 * w_row_bytes;
            float *yt = y + r0;
            products(kernel, cols, wt, w_row_bytes, n_rows, act, act_bytes, n_x, yt, rows);
            if (bias == nullptr) continue;
            const float *b = bias + r0;
            for (int64_t t = 0; t < n_x; ++t) {
                float *yr = yt + t * rows;
                for (int64_t r = 0; r < n_rows; ++r) yr[r] += b[r];
            }
        }
    });
}

}  // namespace llcuda
