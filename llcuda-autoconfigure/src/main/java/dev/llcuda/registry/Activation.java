package dev.llcuda.registry;

import org.jspecify.annotations.Nullable;

/**
 * A model the registry activated and that is loaded again after a restart, with the
 * registered adapters it was activated with.
 *
 * @param model the named model of the set it was activated into
 * ({@code llcuda.models.NAME}), or null for the default model (the ACTIVE entry)
 * @param modelId the activated entry
 * @param adapters the registered adapters it serves with
 */
public record Activation(@Nullable String model, long modelId, ActivationAdapters adapters) {
}
