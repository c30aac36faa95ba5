package dev.llcuda.engine;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A LoRA adapter (a GGUF file as llama.cpp's converter writes it, or a PEFT directory) to
 * load beside a model, under the name requests pick it by
 * ({@link GenerationRequest#withAdapter}).
 *
 * @param name what requests call it: letters, digits, {@code . _ -}
 * @param path the adapter file, or the PEFT directory ({@code adapter_config.json},
 * {@code adapter_model.safetensors})
 * @param scale the user's factor on top of the file's alpha / rank (1: the adapter as
 * trained)
 */
public record AdapterFile(String name, Path path, float scale) {

	public AdapterFile {
		Objects.requireNonNull(path, "path");
		if (name == null || !name.matches("[A-Za-z0-9._-]{1,128}")) {
			throw new IllegalArgumentException(
					"adapter name '" + name + "' must be 1 to 128 letters, digits, '.', '_' or '-'");
		}
		if (!Float.isFinite(scale)) {
			throw new IllegalArgumentException("scale of adapter '" + name + "' must be finite, got " + scale);
		}
	}
}
