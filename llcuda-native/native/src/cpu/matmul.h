// y[t][r] = dot(weight row r, x[t]) for a weight matrix read in place from the model file.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/kernels.h"
#include "cpu/thread_pool.h"
#include "model_spec.h"

namespace llcuda {

// `act_scratch` holds the quantized activations between calls (grown as needed). `bias` may be
// null. x: [n_x][w.cols()], y: [n_x][w.rows()].
void matmul(const CpuKernels &kernels, ThreadPool &pool, const TensorRef &w, const float *bias, const float *x,
            int64_t n_x, float *y, std::vector<uint8_t> &act_scratch);

}  // namespace llcuda
