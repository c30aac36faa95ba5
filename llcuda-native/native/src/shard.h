// One rank's part of a weight matrix for tensor parallelism: whole rows (a row split: the rank's
// outputs) or whole blocks of every row (a column split: the rank's share of the inputs, whose
// products are partial sums). The part owns its bytes and is a matrix of its own for the kernels.
#pragma once

#include <cstdint>
#include <vector>

#include "model_spec.h"
#include "partition.h"

namespace llcuda {

struct Shard {
    TensorRef tensor;  // data points into `bytes`
    std::vector<uint8_t> bytes;

    // Moving keeps the buffer, so tensor.data stays valid; a copy would not.
    Shard() = default;
    Shard(Shard &&) = default;
    Shard &operator=(Shard &&) = default;
    Shard(const Shard &) = delete;
    Shard &operator=(const Shard &) = delete;
};

// Rows [rows.begin, rows.end) of the 2-D matrix `t` (its data read).
Shard shard_rows(const TensorRef &t, Span rows);
// Columns [cols.begin, cols.end) of every row of `t`; fails naming the tensor when a bound is not
// on a block boundary of its type.
Shard shard_columns(const TensorRef &t, Span cols);

}  // namespace llcuda
