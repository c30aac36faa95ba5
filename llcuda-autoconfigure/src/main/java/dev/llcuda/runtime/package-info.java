/**
 * What runs behind the Spring beans: the native library as loaded (or why not), the
 * chosen device and its live readings, and the engine's lifecycle with the model it
 * serves.
 */
@NullMarked
package dev.llcuda.runtime;

import org.jspecify.annotations.NullMarked;
