/**
 * The description of a runnable model, {@link dev.llcuda.model.ModelSpec}, built from a
 * GGUF file's metadata and checked against its tensor table, for the architectures in
 * {@link dev.llcuda.model.Architecture}.
 */
@NullMarked
package dev.llcuda.model;

import org.jspecify.annotations.NullMarked;
