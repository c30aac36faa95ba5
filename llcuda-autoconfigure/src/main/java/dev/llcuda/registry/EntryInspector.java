package dev.llcuda.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.llcuda.hf.CheckpointConverter;
import dev.llcuda.hf.CheckpointFacts;
import dev.llcuda.hf.PeftAdapter;

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

	private static ModelFacts peftFacts(Path directory) throws IOException {
		CheckpointFacts facts = PeftAdapter.inspect(directory);
		return new ModelFacts(facts.name(), facts.architecture(), facts.weightType(), facts.parameterCount(), 0,
				EntryKind.PEFT_ADAPTER);
	}

}
