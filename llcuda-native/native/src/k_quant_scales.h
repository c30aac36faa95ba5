// The 6-bit scale and min of each 32-element sub-block of a Q4_K/Q5_K super-block, packed into the
// 12 bytes after d and dmin (ggml's get_scale_min_k4). Sub-blocks 0..3: scales in the low 6 bits of
// bytes 0..3, mins in those of bytes 4..7. Sub-blocks 4..7: low 4 bits in bytes 8..11 (scale in the
// low nibble, min in the high one), top 2 bits in the top bits of bytes 0..3 (scales) and 4..7 (mins).
// One definition for the CPU reference, the CPU kernels and the CUDA kernels.
#pragma once

#include "host_device.h"

namespace llcuda {

// Scale and min of sub-block j (0..7). byte(i) returns packed byte i (0..11) as an int: a read
// from memory or a pick from registers, as the caller holds the bytes. Only the 2 or 3 bytes that
// j needs are asked for, so a caller reading memory loads no more than those.
template <typename PackedByte>
LLCUDA_HD inline void kquant_scale_min(PackedByte byte, int j, int &sc, int &m) {
    if (j < 4) {
        sc = byte(j) & 63;
        m = byte(j + 4) & 63;
    } else {
        sc = (byte(j + 4) & 0x0f) | ((byte(j - 4) >> 6) << 4);
        m = (byte(j + 4) >> 4) | ((byte(j) >> 6) << 4);
    }
}

}  // namespace llcuda
