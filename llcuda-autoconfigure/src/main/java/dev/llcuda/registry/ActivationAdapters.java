package dev.llcuda.registry;

import java.util.List;
import java.util.stream.Stream;

/**
 * The registered LoRA adapters an activation names, by id: merged into the model's
 * weights at load (as {@code llcuda.model.adapters}), or loaded beside it under their
 * registered names, picked per request (as {@code llcuda.model.lora}).
 *
 * @param merged merged in this order, after the configured ones
 * @param beside loaded beside the model, with the configured ones
 */
public record ActivationAdapters(List<Long> merged, List<Long> beside) {

	/** An activation without registered adapters. */
	public static final ActivationAdapters NONE = new ActivationAdapters(List.of(), List.of());

	public ActivationAdapters {
		merged = List.copyOf(merged);
		beside = List.copyOf(beside);
	}

	public boolean isEmpty() {
		return this.merged.isEmpty() && this.beside.isEmpty();
	}

	/** Every adapter id, merged ones first. */
	public List<Long> ids() {
		return Stream.concat(this.merged.stream(), this.beside.stream()).toList();
	}

}
