#include "shard.h"

#include <cstring>
#include <string>

#include "error.h"
#include "ggml_blocks.h"

namespace llcuda {

namespace {

void check_matrix(const TensorRef &t, Span span, int64_t extent, const char *what) {
    require(t.data != nullptr, t.name + ": weights not read");
    require(t.ne[2] == 1 && t.ne[3] == 1, t.name + " " + shape_text(t.ne, t.n_dims) + " is not a matrix");
    require(span.begin >= 0 && span.begin < span.end && span.end <= extent,
            t.name + ": " + what + " " + std::to_string(span.begin) + "-" + std::to_string(span.end) + " outside 0-" +
                std::to_string(extent));
}

Shard start(const TensorRef &t, int64_t cols, int64_t rows) {
    Shard out;
    out.tensor = t;
    out.tensor.ne[0] = cols;
    out.tensor.ne[1] = rows;
    out.tensor.size = row_bytes(t.type, cols) * static_cast<uint64_t>(rows);
    out.tensor.offset = 0;
    out.bytes.assign(out.tensor.size, 0);
    out.tensor.data = out.bytes.data();
    return out;
}

}  // namespace

Shard shard_rows(const TensorRef &t, Span rows) {
    check_matrix(t, rows, t.ne[1], "rows");
    const uint64_t stride = row_bytes(t.type, t.ne[0]);
    Shard out = start(t, t.ne[0], rows.size());
    std::memcpy(out.bytes.data(), t.data + stride * static_cast<uint64_t>(rows.begin), out.tensor.size);
    return out;
}

Shard shard_columns(const TensorRef &t, Span cols) {
    check_matrix(t, cols, t.ne[0], "columns");
    const TypeTraits *traits = type_traits(t.type);
    require(cols.begin % traits->block_size == 0 && cols.end % traits->block_size == 0,
            t.name + " (" + traits->name + ", blocks of " + std::to_string(traits->block_size) + "): columns " +
                std::to_string(cols.begin) + "-" + std::to_string(cols.end) + " split a block");
    const uint64_t stride = row_bytes(t.type, t.ne[0]), skip = row_bytes(t.type, cols.begin);
    Shard out = start(t, cols.size(), t.ne[1]);
    const uint64_t part = row_bytes(t.type, cols.size());
    for (int64_t r = 0; r < t.ne[1]; ++r)
        std::memcpy(out.bytes.data() + part * static_cast<uint64_t>(r),
                    t.data + stride * static_cast<uint64_t>(r) + skip, part);
    return out;
}

}  // namespace llcuda
