/**
 * GPU detection: NVML (when the NVIDIA driver is installed) for the management view, the
 * native library for the CUDA view, and the choice of device and tuning profile made from
 * both.
 */
@NullMarked
package dev.llcuda.gpu;

import org.jspecify.annotations.NullMarked;
