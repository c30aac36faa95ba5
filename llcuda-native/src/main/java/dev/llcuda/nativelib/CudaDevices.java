package dev.llcuda.nativelib;

/** How many CUDA devices the library can use, and why none when {@code count} is 0. */
public record CudaDevices(int count, String reason) {
}
