package dev.llcuda.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import dev.llcuda.engine.Engine;
import dev.llcuda.engine.FileIdentity;
import dev.llcuda.engine.ModelEngine;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.template.ChatTemplate;
import dev.llcuda.tokenizer.Tokenizer;

/**
 * A model being served: its file, spec, tokenizer, chat template and the engine running
 * it. The engine owns the native model and KV cache; {@link #shutdown} frees them.
 *
 * @param path the GGUF file
 * @param spec hyper-parameters and tensor table
 * @param tokenizer the file's vocabulary
 * @param template the file's chat template, or the family default when it has none
 * @param engine the running engine
 * @param kvBlocks KV-cache blocks allocated
 * @param kvBlockSize positions per block
 * @param weightBytes backend memory the weights occupy
 * @param loadedFile the version of the file the weights were copied from
 */
public record ServingModel(Path path, ModelSpec spec, Tokenizer tokenizer, ChatTemplate template, Engine engine,
		int kvBlocks, int kvBlockSize, long weightBytes, FileIdentity loadedFile) {

	/** The model {@link ModelEngine#open} assembled. */
	public static ServingModel of(ModelEngine model) {
		return new ServingModel(model.path(), model.spec(), model.tokenizer(), model.template(), model.engine(),
				model.kvBlocks(), model.kvBlockSize(), model.weightBytes(), model.loadedFile());
	}

	/**
	 * Lets requests in flight finish for up to {@code timeout}, cancels the rest, frees
	 * the device.
	 */
	public boolean shutdown(Duration timeout) {
		return this.engine.shutdown(timeout);
	}

	/**
	 * How the file changed since it was loaded (truncated, rewritten, replaced, deleted),
	 * or empty. Serving continues from the loaded copy either way.
	 */
	public Optional<String> fileChange() {
		return this.loadedFile.changeOf(this.path);
	}
}
