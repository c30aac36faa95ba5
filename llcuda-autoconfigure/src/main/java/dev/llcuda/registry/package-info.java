/**
 * The model registry: which GGUF files are known, their checksums and facts, and which
 * one is active. Stored through Flyway-managed tables in a schema of its own.
 */
@NullMarked
package dev.llcuda.registry;

import org.jspecify.annotations.NullMarked;
