package dev.llcuda.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.llcuda.engine.AdapterFile;
import dev.llcuda.engine.AdapterMerger;
import dev.llcuda.engine.EngineListener;
import dev.llcuda.engine.LoadListener;
import dev.llcuda.engine.MergedModelCache;
import dev.llcuda.engine.ModelEngine;
import dev.llcuda.engine.ModelFile;
import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gpu.DeviceSelection;
import dev.llcuda.hf.CheckpointConverter;
import dev.llcuda.hf.ConvertedModelCache;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.Model;
import dev.llcuda.nativelib.NativeLibrary;

/**
 * Loads models onto the selected device through {@link ModelEngine#open}, with the engine
 * limits in effect. A Hugging Face model directory is loaded through its GGUF conversion,
 * and a model with adapters to merge through its merge, each made once into the
 * checkpoint cache.
 */
public final class NativeModelLoader implements ModelLoader {

	private final NativeLibrary library;

	private final DeviceSelection device;

	private final ModelEngine.Options options;

	private final int cpuThreads;

	private final ConvertedModelCache checkpoints;

	private final Optional<GgmlType> quantize;

	private final MergedModelCache merges;

	private final List<AdapterMerger.Lora> merged;

	private final List<AdapterFile> adapters;

	/**
	 * @param contextLength positions every model runs with (llcuda.model.context-length);
	 * 0: each file's own
	 * @param checkpointCache where converted Hugging Face model directories are kept
	 * (llcuda.model.cache-dir)
	 * @param quantize the weight type directories are converted to
	 * (llcuda.model.quantize); empty: as stored
	 * @param adapters LoRA adapters loaded beside every model (llcuda.model.lora)
	 * @param merged LoRA adapters merged into every model's weights, through a merge kept
	 * in the checkpoint cache's merged folder (llcuda.model.adapters)
	 */
	public NativeModelLoader(NativeLibrary library, DeviceSelection device, EngineLimits limits,
			EngineListener listener, int contextLength, Path checkpointCache, Optional<GgmlType> quantize,
			List<AdapterFile> adapters, List<AdapterMerger.Lora> merged) {
		this.library = library;
		this.checkpoints = new ConvertedModelCache(checkpointCache, new CheckpointConverter(library));
		this.merges = new MergedModelCache(checkpointCache.resolve("merged"), new AdapterMerger(library));
		this.merged = List.copyOf(merged);
		this.adapters = List.copyOf(adapters);
		this.quantize = quantize;
		this.device = device;
		this.options = ModelEngine.Options.defaults()
			.withKvBlockSize(limits.kvBlockSize())
			.withKvType(limits.kvType())
			.withKvBlocks(limits.kvBlocks())
			.withKvMemoryBytes(limits.kvMemoryBytes())
			.withContextLength(contextLength)
			.withEngineConfig(config -> config
				.withLimits(limits.maxRunningSequences(), limits.maxTokensPerStep(), limits.maxQueued())
				.withPrefixCaching(true)
				.withListener(listener))
			.withAdapters(adapters);
		this.cpuThreads = limits.cpuThreads();
	}

	@Override
	public ServingModel load(Path gguf, LoadListener progress) {
		return load(gguf, ModelAdapters.NONE, progress);
	}

	/**
	 * Loads {@code gguf} with the activation's adapters after the configured ones: merged
	 * after {@code llcuda.model.adapters}, beside the model with
	 * {@code llcuda.model.lora}.
	 */
	@Override
	public ServingModel load(Path gguf, ModelAdapters adapters, LoadListener progress) {
		if (this.device.severalDevices()) {
			throw refusalOverSeveralDevices(gguf);
		}
		List<AdapterMerger.Lora> merge = new ArrayList<>(this.merged);
		merge.addAll(adapters.merged());
		List<AdapterFile> beside = new ArrayList<>(this.adapters);
		for (AdapterFile adapter : adapters.beside()) {
			if (beside.stream().anyMatch(configured -> configured.name().equals(adapter.name()))) {
				throw new IllegalArgumentException("a LoRA adapter named '" + adapter.name() + "' is loaded beside "
						+ gguf + " already (llcuda.model.lora); " + adapter.path() + " cannot take its name");
			}
			beside.add(adapter);
		}
		try (Backend backend = backend()) {
			Path file = this.merges.resolve(this.checkpoints.resolve(gguf, this.quantize), merge);
			return ServingModel.of(ModelEngine.open(backend, file,
					adapters.beside().isEmpty() ? this.options : this.options.withAdapters(beside), progress));
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot read " + gguf + ": " + e.getMessage(), e);
		}
	}

	/**
	 * Checks each adapter against the model's GGUF file (a Hugging Face directory's
	 * conversion, made now if missing, as the load would), as the merge checks it.
	 */
	@Override
	public void checkAdapters(Path gguf, ModelAdapters adapters) {
		if (adapters.isEmpty()) {
			return;
		}
		Path base;
		try {
			base = this.checkpoints.resolve(gguf, this.quantize);
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot read " + gguf + ": " + e.getMessage(), e);
		}
		List<Path> merge = adapters.merged().stream().map(AdapterMerger.Lora::path).toList();
		for (Path adapter : merge) {
			check(gguf, base, adapter, true);
		}
		for (AdapterFile adapter : adapters.beside()) {
			check(gguf, base, adapter.path(), false);
		}
	}

	private static void check(Path model, Path base, Path adapter, boolean forMerge) {
		try {
			AdapterMerger.check(base, adapter, forMerge);
		}
		catch (IOException | RuntimeException e) {
			throw new AdapterMismatchException(
					"the LoRA adapter " + adapter + " does not fit the model " + model + ": " + e.getMessage(), e);
		}
	}

	/**
	 * On the CPU always; on a GPU when its free memory holds the new model's weights and
	 * KV cache.
	 */
	@Override
	public boolean fitsBesideCurrent(Path gguf) {
		if (this.device.isCpu()) {
			return true;
		}
		long needed = memoryNeeded(gguf);
		try (Backend backend = backend()) {
			return needed <= backend.info().memoryFree();
		}
	}

	@Override
	public long memoryNeeded(Path gguf) {
		try {
			// a merge has the base's tensors, types and shapes: the same memory, without
			// merging here
			return ModelEngine.memoryNeeded(this.checkpoints.resolve(gguf, this.quantize), this.options);
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot read " + gguf + ": " + e.getMessage(), e);
		}
	}

	/**
	 * One model over several devices: the native library plans the split and checks that
	 * NCCL is installed, then refuses, this build having no multi-device execution; its
	 * refusal names what is missing. The engine runs models of one device only, so even a
	 * model the library did load over several devices is closed and refused here.
	 */
	private RuntimeException refusalOverSeveralDevices(Path gguf) {
		try {
			Model model = ModelFile.read(this.checkpoints.resolve(gguf, this.quantize), this.options.contextLength())
				.loadOnDevices(this.library, this.device.ordinals());
			model.close();
			return new IllegalStateException("cannot serve " + gguf + " over CUDA devices " + this.device.ordinals()
					+ ": the engine runs a model on one device only (llcuda.gpu.devices)");
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot read " + gguf + ": " + e.getMessage(), e);
		}
	}

	private Backend backend() {
		return DeviceBackends.open(this.library, this.device, this.cpuThreads);
	}

}
