package dev.llcuda.gpu;

/**
 * What the user asked for.
 *
 * @param gpuEnabled whether a GPU may be used at all
 * @param device CUDA ordinal wanted
 * @param gpuRequired fail instead of falling back to the CPU
 */
public record DeviceRequest(boolean gpuEnabled, int device, boolean gpuRequired) {
}
