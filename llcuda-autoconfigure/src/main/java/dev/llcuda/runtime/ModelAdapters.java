package dev.llcuda.runtime;

import java.util.List;

import dev.llcuda.engine.AdapterFile;
import dev.llcuda.engine.AdapterMerger;

/**
 * LoRA adapters an activation adds to the ones the model's configuration names: merged
 * into the weights at load, after {@code llcuda.model.adapters}, and loaded beside the
 * model under their names, with {@code llcuda.model.lora}.
 *
 * @param merged merged into the weights, in order
 * @param beside loaded beside the model, picked per request by name
 */
public record ModelAdapters(List<AdapterMerger.Lora> merged, List<AdapterFile> beside) {

	/** No adapters beyond the configured ones. */
	public static final ModelAdapters NONE = new ModelAdapters(List.of(), List.of());

	public ModelAdapters {
		merged = List.copyOf(merged);
		beside = List.copyOf(beside);
	}

	public boolean isEmpty() {
		return this.merged.isEmpty() && this.beside.isEmpty();
	}

}
