package dev.llcuda.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.llcuda.hf.CheckpointConverter;
import dev.llcuda.hf.CheckpointFacts;
import dev.llcuda.hf.PeftAdapter;
import dev.llcuda.safetensors.SafetensorsFile;
import dev.llcuda.safetensors.SafetensorsTensor;
import dev.llcuda.template.Json;

/**
 * Facts of every kind of entry, told apart by what the path holds: a PEFT adapter
 * directory ({@code adapter_config.json}), a Hugging Face model directory
 * ({@code config.json}), or a GGUF file (a model or a LoRA adapter, read by
 * {@link GgufModelInspector}). Anything else is refused naming the path.
 */
public final class EntryInspector implements ModelInspector {

	private final GgufModelInspector gguf = new GgufModelInspector();

	@Override
	public ModelFacts inspect(Path path) throws IOException {
		if (!Files.isDirectory(path)) {
			return this.gguf.inspect(path);
		}
		if (PeftAdapter.isPeftDirectory(path)) {
			return peftFacts(path);
		}
		if (CheckpointConverter.isModelDirectory(path)) {
			CheckpointFacts facts = CheckpointConverter.inspect(path);
			return new ModelFacts(facts.name(), facts.architecture(), facts.weightType(), facts.parameterCount(),
					facts.contextLength(), EntryKind.HF_CHECKPOINT);
		}
		throw new IOException(path + " is a directory but neither a Hugging Face model directory (" + "config.json, "
				+ "tokenizer.json, tokenizer_config.json, *.safetensors) nor a PEFT adapter (" + PeftAdapter.CONFIG
				+ ", " + PeftAdapter.WEIGHTS + ")");
	}

	/**
	 * A PEFT directory's rank must be set; its weights' headers are read. It names no
	 * architecture: whether it fits a base is checked when it is activated with one.
	 */
	private static ModelFacts peftFacts(Path directory) throws IOException {
		Path config = directory.resolve(PeftAdapter.CONFIG);
		Object parsed;
		try {
			parsed = Json.parse(Files.readString(config), config.toString());
		}
		catch (RuntimeException e) {
			throw new IOException(config + ": " + e.getMessage(), e);
		}
		if (!(parsed instanceof Map<?, ?> json) || !(json.get("r") instanceof Number rank) || rank.longValue() < 1) {
			throw new IOException(config + ": \"r\" (the adapter's rank) must be a positive number");
		}
		Object peftType = json.get("peft_type");
		if (peftType != null && !"LORA".equals(peftType)) {
			throw new IOException(config + ": peft_type is '" + peftType + "'; only LORA adapters are supported");
		}
		Path weights = directory.resolve(PeftAdapter.WEIGHTS);
		if (!Files.isRegularFile(weights)) {
			throw new IOException(directory + " has no " + PeftAdapter.WEIGHTS);
		}
		try (SafetensorsFile file = SafetensorsFile.open(weights)) {
			if (file.tensors().isEmpty()) {
				throw new IOException(weights + ": the adapter has no tensors");
			}
			long parameters = file.tensors().stream().mapToLong(SafetensorsTensor::elementCount).sum();
			return new ModelFacts(String.valueOf(directory.getFileName()), "", file.tensors().get(0).dtype().name(),
					parameters, 0, EntryKind.PEFT_ADAPTER);
		}
	}

}
