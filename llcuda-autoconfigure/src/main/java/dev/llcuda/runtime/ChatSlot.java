package dev.llcuda.runtime;

import java.nio.file.Path;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * One chat model of the {@link ModelSet}: its runtime (lifecycle, activation, recovery)
 * and the loader that sizes it.
 *
 * @param configuredName the name requests use ({@code llcuda.models.NAME}); null: the
 * {@code general.name} of the file served ({@code llcuda.model.path}, or a model
 * activated in the registry)
 * @param runtime the model's lifecycle
 * @param startupFile the file loaded at start, or null
 * @param loader loads files with this model's limits
 */
public record ChatSlot(@Nullable String configuredName, LlcudaRuntime runtime, @Nullable Path startupFile,
		ModelLoader loader) {

	/**
	 * The name requests use, or empty while a slot named after its file serves nothing.
	 */
	public Optional<String> name() {
		return this.configuredName != null ? Optional.of(this.configuredName)
				: this.runtime.serving().map(model -> model.spec().name());
	}
}
