/**
 * The native inference library from Java: {@link dev.llcuda.nativelib.NativeLibrary#load}
 * extracts (or takes a user's build, or downloads) {@code libllcuda.so}, checks its
 * SHA-256 before loading and its ABI version after;
 * {@link dev.llcuda.nativelib.LlcudaLibrary} mirrors {@code llcuda.h};
 * {@link dev.llcuda.nativelib.Backend}, {@link dev.llcuda.nativelib.Model} and
 * {@link dev.llcuda.nativelib.KvCache} own the native handles, and a failing call throws
 * a {@link dev.llcuda.nativelib.NativeException} with the library's message.
 * {@link dev.llcuda.nativelib.Batch} and {@link dev.llcuda.nativelib.StepOutput} carry
 * one step in native buffers reused from step to step.
 */
@NullMarked
package dev.llcuda.nativelib;

import org.jspecify.annotations.NullMarked;
