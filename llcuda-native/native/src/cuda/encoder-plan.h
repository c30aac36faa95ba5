// The host-side plan of one encoder pass over inputs packed without padding: per-token metadata
// (token, position within its input, row of the pass's K/V scratch), the attention tiles of each
// input with its key count (non-causal), and the rows each input pools. The K/V scratch is laid
// out as a paged cache whose block tables are consecutive blocks, so the decoder's RoPE/store and
// attention kernels serve the encoder unchanged. Plain C++: no device code.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels.cuh"
#include "model_spec.h"
#include "step_batch.h"

namespace llcuda::cuda {

// Positions per block of the K/V scratch: each input starts on a block boundary, so an input wastes
// at most kEncoderBlock - 1 rows of scratch (no compute).
constexpr int kEncoderBlock = 16;

struct EncoderPlan {
    int n_tokens = 0;
    int n_seqs = 0;
    int n_blocks = 0;                               // blocks of the K/V scratch
    int blocks_per_seq = 0;                         // entries of each input's block table
    std::vector<int32_t> tokens, positions, slots;  // [n_tokens]
    std::vector<AttnTile> tiles;
    std::vector<int32_t> tile_keys;  // [tiles.size()] the length of the tile's input
    std::vector<int32_t> tables;     // [n_seqs * blocks_per_seq]
    std::vector<int32_t> pooled;     // [2 * n_seqs] rows [from, to) each input pools
    int n_tiles() const { return static_cast<int>(tiles.size()); }
};

// Inputs [first_seq, first_seq + n_seqs) of a validated batch; token indices restart at 0.
EncoderPlan plan_encoder(const ModelSpec &spec, const EmbedBatch &batch, int first_seq, int n_seqs, int tile_tokens);

// The plan's arrays in one int32 buffer, uploaded once per pass.
struct EncoderMeta {
    int64_t tokens = 0, positions = 0, slots = 0, tiles = 0, tile_keys = 0, tables = 0, pooled = 0, total = 0;
};
EncoderMeta encoder_meta_layout(const EncoderPlan &plan);
void write_encoder_meta(const EncoderPlan &plan, const EncoderMeta &layout, int32_t *meta);

}  // namespace llcuda::cuda
