#include "encoder-plan.h"

#include <algorithm>
#include <cstring>

#include "encoder_layout.h"

namespace llcuda::cuda {

EncoderPlan plan_encoder(const ModelSpec &spec, const EmbedBatch &batch, int first_seq, int n_seqs, int tile_tokens) {
    EncoderPlan plan;
    plan.n_seqs = n_seqs;
    const int32_t base = batch.offsets[first_seq];
    plan.n_tokens = batch.offsets[first_seq + n_seqs] - base;
    int longest = 0;
    for (int s = first_seq; s < first_seq + n_seqs; ++s)
        longest = std::max(longest, batch.offsets[s + 1] - batch.offsets[s]);
    plan.blocks_per_seq = (longest + kEncoderBlock - 1) / kEncoderBlock;
    plan.tokens.assign(batch.tokens + base, batch.tokens + base + plan.n_tokens);
    plan.positions.resize(plan.n_tokens);
    plan.slots.resize(plan.n_tokens);
    plan.tables.assign(static_cast<size_t>(n_seqs) * plan.blocks_per_seq, 0);
    for (int q = 0; q < n_seqs; ++q) {
        const int first = batch.offsets[first_seq + q] - base,
                  length = batch.offsets[first_seq + q + 1] - batch.offsets[first_seq + q];
        const int first_block = plan.n_blocks, table = q * plan.blocks_per_seq;
        const int blocks = (length + kEncoderBlock - 1) / kEncoderBlock;
        for (int j = 0; j < blocks; ++j) plan.tables[table + j] = first_block + j;
        plan.n_blocks += blocks;
        for (int i = 0; i < length; ++i) {
            plan.positions[first + i] = i;
            plan.slots[first + i] = first_block * kEncoderBlock + i;
        }
        for (int c = 0; c < length; c += tile_tokens) {
            plan.tiles.push_back({first + c, std::min(tile_tokens, length - c), c, table});
            plan.tile_keys.push_back(length);
        }
        const PooledRows rows = pooled_rows(spec, batch, first_seq + q);
        plan.pooled.push_back(rows.from - base);
        plan.pooled.push_back(rows.to - base);
    }
    return plan;
}

EncoderMeta encoder_meta_layout(const EncoderPlan &plan) {
    EncoderMeta m;
    int64_t at = 0;
    auto place = [&](int64_t &offset, size_t ints) {
        offset = at;
        at += static_cast<int64_t>((ints + 3) / 4 * 4);  // 16-byte aligned arrays
    };
    place(m.tokens, plan.tokens.size());
    place(m.positions, plan.positions.size());
    place(m.slots, plan.slots.size());
    place(m.tiles, plan.tiles.size() * sizeof(AttnTile) / sizeof(int32_t));
    place(m.tile_keys, plan.tile_keys.size());
    place(m.tables, plan.tables.size());
    place(m.pooled, plan.pooled.size());
    m.total = at;
    return m;
}

void write_encoder_meta(const EncoderPlan &plan, const EncoderMeta &layout, int32_t *meta) {
    std::memcpy(meta + layout.tokens, plan.tokens.data(), plan.tokens.size() * sizeof(int32_t));
    std::memcpy(meta + layout.positions, plan.positions.data(), plan.positions.size() * sizeof(int32_t));
    std::memcpy(meta + layout.slots, plan.slots.data(), plan.slots.size() * sizeof(int32_t));
    std::memcpy(meta + layout.tiles, plan.tiles.data(), plan.tiles.size() * sizeof(AttnTile));
    std::memcpy(meta + layout.tile_keys, plan.tile_keys.data(), plan.tile_keys.size() * sizeof(int32_t));
    std::memcpy(meta + layout.tables, plan.tables.data(), plan.tables.size() * sizeof(int32_t));
    std::memcpy(meta + layout.pooled, plan.pooled.data(), plan.pooled.size() * sizeof(int32_t));
}

}  // namespace llcuda::cuda
